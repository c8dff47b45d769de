package dev.kiln.link.protocol.capture;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Capture batch payload: gzip of newline-delimited JSON, one record per line. Records are
 * concatenated as stored in the outbox, so batching never re-parses them. Because JSON text never
 * holds a raw newline, '\n' is a safe separator.
 */
public final class CaptureBatchCodec {
  public static final String CONTENT_TYPE = "application/x-ndjson";
  public static final String ENCODING = "gzip";

  /** User property names on a capture batch publish. */
  public static final String PROP_ENCODING = "content-encoding";

  public static final String PROP_SCHEMA = "schema";
  public static final String PROP_BATCH_ID = "batch-id";
  public static final String PROP_RECORDS = "records";

  /** A decoded batch larger than this is refused, so a hostile payload cannot exhaust memory. */
  private static final long MAX_DECODED_BYTES = 256L * 1024 * 1024;

  private CaptureBatchCodec() {}

  public static byte[] encode(List<byte[]> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bytes, 8192)) {
      for (byte[] r : records) {
        gz.write(r);
        gz.write('\n');
      }
    } catch (IOException e) {
      throw new LinkException(LinkErrorCode.PROTOCOL_INVALID, "cannot gzip capture batch", e);
    }
    return bytes.toByteArray();
  }

  public static List<byte[]> decode(byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length * 4);
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(payload), 8192)) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > MAX_DECODED_BYTES) {
          throw new LinkException(
              LinkErrorCode.PROTOCOL_INVALID,
              "capture batch inflates past " + MAX_DECODED_BYTES + " bytes; refusing it");
        }
      }
    } catch (IOException e) {
      throw new LinkException(
          LinkErrorCode.PROTOCOL_INVALID, "capture batch is not valid gzip: " + e.getMessage(), e);
    }
    byte[] all = out.toByteArray();
    List<byte[]> records = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        if (i > start) {
          byte[] r = new byte[i - start];
          System.arraycopy(all, start, r, 0, r.length);
          records.add(r);
        }
        start = i + 1;
      }
    }
    return records;
  }
}
