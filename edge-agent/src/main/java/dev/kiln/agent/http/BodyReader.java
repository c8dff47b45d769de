package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body into memory before any handler runs, asking Jetty to call back when more
 * bytes arrive instead of blocking a worker thread on the socket. A client that trickles its body
 * therefore holds a connection and a buffer, never a thread, and {@code
 * http.minRequestBytesPerSecond} (checked here, as each piece arrives: Jetty's core server does not
 * enforce its own setting) and the idle timeout then end it.
 */
final class BodyReader implements Runnable {
  /**
   * An oversized body is read and dropped up to this much before the 413, because clients that are
   * still sending when the server closes the connection never see the reply.
   */
  static final long DISCARD_LIMIT = 64L * 1024 * 1024;

  private static final int FIRST_BUFFER = 16 * 1024;

  private static final byte[] NO_BYTES = new byte[0];

  /** Where the body goes; exactly one method is called, once. */
  interface Outcome {
    /**
     * The body is the first {@code length} bytes of {@code buffer}, which may be longer; the
     * outcome owns the buffer and hands it back to the {@link BodyBuffers} once nothing reads it.
     */
    void received(byte[] buffer, int length);

    /**
     * The body is over the limit (413; drained first where that was cheap) or arrives too slowly
     * (408).
     */
    void refused(AgentException reason);

    /** Reading failed: the client went away, was too slow, or sent a malformed body. */
    void failed(Throwable failure);
  }

  private final Request request;
  private final long maxBytes;
  private final long minBytesPerSecond;
  private final Outcome outcome;
  private final RequestMemory.Reservation memory;
  private final BodyBuffers buffers;
  private byte[] buffer;
  private int size;
  private long dropped;

  /**
   * Set when the body will be refused once it has arrived (no memory for it): it is then read and
   * dropped like an oversized one, so the client, still sending, sees the reply.
   */
  private AgentException refusal;

  private BodyReader(
      Request request,
      long maxBytes,
      long minBytesPerSecond,
      RequestMemory.Reservation memory,
      BodyBuffers buffers,
      Outcome outcome) {
    this.request = request;
    this.maxBytes = maxBytes;
    this.minBytesPerSecond = minBytesPerSecond;
    this.memory = memory;
    this.buffers = buffers;
    this.outcome = outcome;
  }

  /**
   * @param minBytesPerSecond the body's average rate since the headers arrived must stay at or
   *     above this while it is incomplete; 0 turns the check off
   * @param memory this request's share of {@link RequestMemory}: every buffer is reserved there
   *     before it is allocated
   * @param buffers where large buffers come from and, unless the body is received, go back to
   */
  static void read(
      Request request,
      long maxBytes,
      long minBytesPerSecond,
      RequestMemory.Reservation memory,
      BodyBuffers buffers,
      Outcome outcome) {
    if (!hasBody(request)) {
      // Nothing to wait for, and no 16 KiB buffer to allocate and reserve (about 12 us of a /ping).
      outcome.received(NO_BYTES, 0);
      return;
    }
    long declared = request.getLength();
    if (declared > maxBytes + DISCARD_LIMIT) {
      outcome.refused(Exchange.tooLarge(maxBytes));
      return;
    }
    BodyReader reader =
        new BodyReader(request, maxBytes, minBytesPerSecond, memory, buffers, outcome);
    if (declared <= maxBytes) {
      int first = (int) (declared >= 0 ? declared : Math.min(maxBytes, FIRST_BUFFER));
      try {
        memory.growTo(first);
        reader.buffer = buffers.take(first);
      } catch (AgentException busy) {
        reader.refusal = busy;
      }
    }
    reader.run();
  }

  /**
   * Whether bytes of a body follow the request's headers, as HTTP/1.1 frames it: a Content-Length
   * above 0, or a Transfer-Encoding (only chunked is read; a request with any other coding is
   * refused unread, and its body goes with the connection). Neither is no body: a {@code GET},
   * mostly, and what follows its headers is the connection's next request.
   */
  static boolean hasBody(Request request) {
    long declared = request.getLength();
    return declared > 0
        || (declared < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
  }

  /** Reads what has arrived; asks to be run again when more does. */
  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        drop();
        outcome.failed(chunk.getFailure());
        return;
      }
      ByteBuffer bytes = chunk.getByteBuffer();
      int n = bytes.remaining();
      if (buffer != null && size + (long) n > maxBytes) {
        dropped = size;
        drop();
      }
      if (buffer != null && size + n > buffer.length) {
        int grown = (int) Math.min(maxBytes, Math.max(size + n, 2L * size));
        try {
          memory.growTo(grown);
          byte[] larger = buffers.take(grown);
          System.arraycopy(buffer, 0, larger, 0, size);
          buffers.give(buffer);
          buffer = larger;
        } catch (AgentException busy) {
          refusal = busy;
          dropped = size;
          drop();
        }
      }
      if (buffer == null) {
        dropped += n;
      } else {
        bytes.get(buffer, size, n);
        size += n;
      }
      boolean last = chunk.isLast();
      chunk.release();
      if (buffer == null && (last || dropped > maxBytes + DISCARD_LIMIT)) {
        outcome.refused(
            refusal != null && dropped <= maxBytes ? refusal : Exchange.tooLarge(maxBytes));
        return;
      }
      if (last) {
        outcome.received(buffer, size);
        return;
      }
      if (tooSlow()) {
        drop();
        outcome.refused(
            new AgentException(
                AgentErrorCode.REQUEST_TIMEOUT,
                "the request body arrives slower than http.minRequestBytesPerSecond ("
                    + minBytesPerSecond
                    + " bytes/s)"));
        return;
      }
    }
  }

  /** Stops keeping the body: its buffer goes back for another request. */
  private void drop() {
    buffers.give(buffer);
    buffer = null;
  }

  private boolean tooSlow() {
    long elapsedNanos = System.nanoTime() - request.getHeadersNanoTime();
    if (minBytesPerSecond <= 0 || elapsedNanos < TimeUnit.SECONDS.toNanos(1)) {
      return false;
    }
    double expected = minBytesPerSecond * (elapsedNanos / 1e9);
    return size + dropped < expected;
  }
}
