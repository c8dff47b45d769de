package dev.kiln.link.protocol.transfer;

import dev.kiln.artifact.Sha256;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.MessageProps;
import dev.kiln.link.protocol.ProtocolJson;
import java.util.Map;

/**
 * One piece of an artifact. Sent raw (the payload is the chunk's bytes) with its metadata in MQTT 5
 * user properties, like capture batches, so a 256 KiB chunk costs no base64. docs/protocol.md names
 * {@code chunk-index}, {@code chunk-count} and {@code chunk-sha256}; the console adds {@code
 * artifact-sha256}, {@code chunk-size} and {@code total-bytes}.
 *
 * @param artifactSha256 the whole file's SHA-256; also names the transfer
 * @param sha256 this chunk's SHA-256, checked before the chunk is stored
 */
public record ArtifactChunk(
    String artifactSha256,
    int index,
    int count,
    int chunkSize,
    long totalBytes,
    String sha256,
    byte[] data) {

  public static final String CONTENT_TYPE = "application/octet-stream";
  static final String PROP_ARTIFACT = "artifact-sha256";
  static final String PROP_INDEX = "chunk-index";
  static final String PROP_COUNT = "chunk-count";
  static final String PROP_SIZE = "chunk-size";
  static final String PROP_BYTES = "total-bytes";
  static final String PROP_SHA = "chunk-sha256";

  /** How many chunks of {@code chunkSize} make {@code bytes}; an empty file is one empty chunk. */
  public static int chunkCount(long bytes, int chunkSize) {
    return (int) Math.max(1, (bytes + chunkSize - 1) / chunkSize);
  }

  public MessageProps props() {
    return new MessageProps(
        CONTENT_TYPE,
        null,
        null,
        null,
        Map.of(
            "schema",
            String.valueOf(ProtocolJson.SCHEMA_VERSION),
            PROP_ARTIFACT,
            artifactSha256,
            PROP_INDEX,
            String.valueOf(index),
            PROP_COUNT,
            String.valueOf(count),
            PROP_SIZE,
            String.valueOf(chunkSize),
            PROP_BYTES,
            String.valueOf(totalBytes),
            PROP_SHA,
            sha256));
  }

  /** Reads a chunk from a message; throws TRANSFER_FAILED if metadata is missing or data is bad. */
  public static ArtifactChunk from(byte[] payload, MessageProps props) {
    ArtifactChunk c;
    try {
      c =
          new ArtifactChunk(
              props.userProperty(PROP_ARTIFACT),
              Integer.parseInt(props.userProperty(PROP_INDEX)),
              Integer.parseInt(props.userProperty(PROP_COUNT)),
              Integer.parseInt(props.userProperty(PROP_SIZE)),
              Long.parseLong(props.userProperty(PROP_BYTES)),
              props.userProperty(PROP_SHA),
              payload);
    } catch (NumberFormatException e) {
      throw new LinkException(
          LinkErrorCode.TRANSFER_FAILED,
          "chunk message lacks its chunk-index/chunk-count/chunk-size/total-bytes properties",
          e);
    }
    if (c.artifactSha256() == null || !Sha256.of(payload).equals(c.sha256())) {
      throw new LinkException(
          LinkErrorCode.TRANSFER_FAILED,
          "chunk " + c.index() + " does not match its SHA-256; it will be requested again");
    }
    return c;
  }
}
