package dev.kiln.agent.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bodies as the agent reads them from a kept buffer ({@link BodyBuffers}): at the start of a longer
 * array whose tail still holds an earlier request's bytes. A reader that looked past the body's
 * length would read that tail as more numbers, rows or members, and answer differently.
 */
final class StaleBuffers {
  private static final byte[] EARLIER =
      ",9.5e3,-1]],[[7,7]]]},\"instances\":[[1,2]],\"x\":[4,4,4]}".getBytes(StandardCharsets.UTF_8);

  private StaleBuffers() {}

  static RequestBody after(byte[] body) {
    byte[] buffer = Arrays.copyOf(body, body.length + 2 * EARLIER.length + 1000);
    for (int i = body.length; i < buffer.length; i++) {
      buffer[i] = EARLIER[(i - body.length) % EARLIER.length];
    }
    return new RequestBody(buffer, body.length);
  }
}
