package dev.kiln.link.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.json.JsonMappers;
import dev.kiln.json.JsonTrees;
import dev.kiln.json.RecordReader;
import dev.kiln.json.RecordWriter;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.io.IOException;

/**
 * JSON for every v1 message: unknown fields are ignored so newer senders do not break older
 * readers, and null fields are left out.
 *
 * <p>Messages are read and written without Jackson's databind ({@link RecordReader}, {@link
 * RecordWriter}): a device reads and writes them all its life, and databind's binding would keep
 * some 400 classes resident on it (docs/benchmarks.md, "the start without databind"). The bytes are
 * the ones {@link JsonMappers#wire()} writes, so either side may still use the mapper.
 */
public final class ProtocolJson {
  /** Schema version carried in every message body and in the {@code schema} user property. */
  public static final int SCHEMA_VERSION = 1;

  private ProtocolJson() {}

  /**
   * The wire mapper, for cloud-side code that works on messages as trees or binds types other than
   * records. Built on first use, so a device that never calls it never loads it.
   */
  public static ObjectMapper mapper() {
    return Mapper.MAPPER;
  }

  public static byte[] write(Object message) {
    try {
      return RecordWriter.wire(message);
    } catch (RuntimeException e) {
      throw new LinkException(
          LinkErrorCode.PROTOCOL_INVALID, "cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  public static <T> T read(byte[] json, Class<T> type) {
    try {
      return RecordReader.read(json, type, RecordReader.Mode.LENIENT);
    } catch (IOException e) {
      throw invalid(type, e);
    }
  }

  /** A command's payload (a tree inside the command) as its record. */
  public static <T> T payload(JsonNode payload, Class<T> type) {
    try {
      return RecordReader.read(payload, type, RecordReader.Mode.LENIENT);
    } catch (IOException e) {
      throw invalid(type, e);
    }
  }

  /** {@code message} as the tree its JSON parses to, for a field that holds any JSON. */
  public static JsonNode tree(Object message) {
    try {
      return JsonTrees.parse(write(message));
    } catch (IOException e) {
      throw new LinkException(
          LinkErrorCode.PROTOCOL_INVALID, "cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  private static LinkException invalid(Class<?> type, IOException e) {
    return new LinkException(
        LinkErrorCode.PROTOCOL_INVALID,
        "payload is not a valid " + type.getSimpleName() + " message: " + e.getMessage(),
        e);
  }

  private static final class Mapper {
    static final ObjectMapper MAPPER = JsonMappers.wire();
  }
}
