package dev.kiln.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON for artifact files: the canonical mapping (sorted map keys, two-space indent) plus a
 * trailing newline, so the bytes depend only on the values, which reproducible archives need.
 */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMappers.canonical();

  private Json() {}

  public static byte[] toBytes(Object value) {
    try {
      String text = MAPPER.writeValueAsString(value).replace("\r\n", "\n") + "\n";
      return text.getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T fromBytes(byte[] bytes, Class<T> type) throws IOException {
    return MAPPER.readValue(bytes, type);
  }
}
