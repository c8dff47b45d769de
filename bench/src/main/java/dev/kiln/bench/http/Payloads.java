package dev.kiln.bench.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The bytes every candidate serves and every client sends, fixed so that the servers differ only in
 * how they move them: a small {@code /ping} reply, a ~4 KB JSON request body shaped like an
 * inference request, and a ~1 KB JSON reply shaped like its answer.
 */
final class Payloads {
  static final byte[] PING_REPLY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
  static final byte[] INVOCATION_BODY = tensorJson("inputs", "input", 4096);
  static final byte[] INVOCATION_REPLY = tensorJson("outputs", "logits", 1024);

  private Payloads() {}

  /** {@code {"KEY":[{"name":NAME,"shape":[1,n],"data":[...]}]}} padded with numbers to ~bytes. */
  private static byte[] tensorJson(String key, String name, int bytes) {
    StringBuilder data = new StringBuilder();
    int n = 0;
    // Deterministic, varied numbers, so no server or TCP stack gains from runs of equal bytes.
    while (data.length() < bytes - 80) {
      data.append(n == 0 ? "" : ",")
          .append(String.format(Locale.ROOT, "%.5f", Math.sin(n * 0.37) * 3));
      n++;
    }
    String json =
        String.format(
            Locale.ROOT,
            "{\"%s\":[{\"name\":\"%s\",\"shape\":[1,%d],\"data\":[%s]}]}",
            key,
            name,
            n,
            data);
    return json.getBytes(StandardCharsets.US_ASCII);
  }
}
