package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
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

  /** Where the body goes; exactly one method is called, once. */
  interface Outcome {
    void received(byte[] body);

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
      Outcome outcome,
      byte[] buffer) {
    this.request = request;
    this.maxBytes = maxBytes;
    this.minBytesPerSecond = minBytesPerSecond;
    this.memory = memory;
    this.outcome = outcome;
    this.buffer = buffer;
  }

  /**
   * @param minBytesPerSecond the body's average rate since the headers arrived must stay at or
   *     above this while it is incomplete; 0 turns the check off
   * @param memory this request's share of {@link RequestMemory}: every buffer is reserved there
   *     before it is allocated
   */
  static void read(
      Request request,
      long maxBytes,
      long minBytesPerSecond,
      RequestMemory.Reservation memory,
      Outcome outcome) {
    long declared = request.getLength();
    if (declared > maxBytes + DISCARD_LIMIT) {
      outcome.refused(Exchange.tooLarge(maxBytes));
      return;
    }
    BodyReader reader = new BodyReader(request, maxBytes, minBytesPerSecond, memory, outcome, null);
    if (declared <= maxBytes) {
      int first = (int) (declared >= 0 ? declared : Math.min(maxBytes, FIRST_BUFFER));
      try {
        memory.growTo(first);
        reader.buffer = new byte[first];
      } catch (AgentException busy) {
        reader.refusal = busy;
      }
    }
    reader.run();
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
        outcome.failed(chunk.getFailure());
        return;
      }
      ByteBuffer bytes = chunk.getByteBuffer();
      int n = bytes.remaining();
      if (buffer != null && size + (long) n > maxBytes) {
        dropped = size;
        buffer = null;
      }
      if (buffer != null && size + n > buffer.length) {
        int grown = (int) Math.min(maxBytes, Math.max(size + n, 2L * size));
        try {
          memory.growTo(grown);
          buffer = Arrays.copyOf(buffer, grown);
        } catch (AgentException busy) {
          refusal = busy;
          dropped = size;
          buffer = null;
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
        outcome.received(size == buffer.length ? buffer : Arrays.copyOf(buffer, size));
        return;
      }
      if (tooSlow()) {
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

  private boolean tooSlow() {
    long elapsedNanos = System.nanoTime() - request.getHeadersNanoTime();
    if (minBytesPerSecond <= 0 || elapsedNanos < TimeUnit.SECONDS.toNanos(1)) {
      return false;
    }
    double expected = minBytesPerSecond * (elapsedNanos / 1e9);
    return size + dropped < expected;
  }
}
