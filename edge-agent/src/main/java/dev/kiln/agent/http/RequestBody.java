package dev.kiln.agent.http;

import java.util.Arrays;

/**
 * A request body as read: the first {@code length} bytes of {@code buffer}, which may be longer (a
 * kept buffer, see {@link BodyBuffers}). Valid only while its exchange is served.
 */
record RequestBody(byte[] buffer, int length) {

  /** The body as an array of its own length: the buffer itself when it is exactly that long. */
  byte[] exact() {
    return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
  }
}
