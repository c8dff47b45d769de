package dev.kiln.link.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.json.JsonMappers;
import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.io.IOException;

/**
 * JSON for every v1 message: unknown fields are ignored so newer senders do not break older
 * readers.
 */
public final class ProtocolJson {
  /** Schema version carried in every message body and in the {@code schema} user property. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper MAPPER = JsonMappers.wire();

  private ProtocolJson() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static byte[] write(Object message) {
    try {
      return MAPPER.writeValueAsBytes(message);
    } catch (IOException e) {
      throw new LinkException(
          LinkErrorCode.PROTOCOL_INVALID, "cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  public static <T> T read(byte[] json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new LinkException(
          LinkErrorCode.PROTOCOL_INVALID,
          "payload is not a valid " + type.getSimpleName() + " message: " + e.getMessage(),
          e);
    }
  }
}
