package dev.kiln.agent.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Buffers for large request bodies, kept from one request to the next. A 1x3x224x224 JSON body is
 * 1.6 MB: allocated afresh per request it filled the small young generation of a device heap
 * ({@code -Xms8m -XX:NewRatio=4}) every time, so nearly every request began with a young collection
 * (about 1 ms from the headers to the first body byte, against 0.1 ms with the buffer kept), and
 * bodies caught live by those collections were promoted until a full collection cleared the old
 * generation.
 *
 * <p>A buffer may be longer than the body read into it: readers take the body's length with it
 * ({@link Exchange#bodyInPlace}). Bodies under {@link #MIN_POOLED} bytes are allocated as before; a
 * small array costs the young generation little. Nothing may keep a body past its request: the
 * decoders copy what they take into arrays of their own. What is kept while idle is bounded in
 * count and bytes, so the pool never holds more heap than it was given.
 */
final class BodyBuffers {
  /**
   * Smaller bodies are plain arrays. The bound was 64 KiB until the sample CNN's bodies (37 KB
   * JSON, 12 KB {@code .npy}) were measured at 8 connections: they were about half of what a
   * request allocates, and kept they cut young collections by 60% and the agent's collection pauses
   * from 2.1 to 1.2 s in a 47 s bench (docs/benchmarks.md, "Peer comparison").
   */
  static final int MIN_POOLED = 8 * 1024;

  /**
   * A body is read into a kept buffer up to this many times its length, so a small body does not
   * pin a large buffer while a large one waits.
   */
  private static final int MAX_SLACK = 2;

  private final long maxIdleBytes;
  private final int maxIdleBuffers;
  private final List<byte[]> idle = new ArrayList<>();
  private long idleBytes;

  /**
   * @param maxIdleBytes at most this many bytes kept between requests
   * @param maxIdleBuffers at most this many buffers kept between requests
   */
  BodyBuffers(long maxIdleBytes, int maxIdleBuffers) {
    this.maxIdleBytes = maxIdleBytes;
    this.maxIdleBuffers = maxIdleBuffers;
  }

  /**
   * An eighth of what {@link RequestMemory} admits for bodies in flight (4 MiB of a 64 MiB heap),
   * in at most as many buffers as requests run at once.
   */
  static BodyBuffers forBudget(RequestMemory memory, int concurrentRequests) {
    return new BodyBuffers(memory.budgetBytes() / 8, Math.max(1, concurrentRequests));
  }

  /**
   * A buffer of at least {@code size} bytes: a kept one when one fits, else a new one with room for
   * a body a little longer next time (JSON bodies of one model differ by a few percent).
   */
  byte[] take(int size) {
    if (size < MIN_POOLED) {
      return new byte[size];
    }
    synchronized (this) {
      int best = -1;
      for (int i = 0; i < idle.size(); i++) {
        int length = idle.get(i).length;
        if (length >= size
            && (long) length <= (long) MAX_SLACK * size
            && (best < 0 || length < idle.get(best).length)) {
          best = i;
        }
      }
      if (best >= 0) {
        byte[] kept = idle.remove(best);
        idleBytes -= kept.length;
        return kept;
      }
    }
    return new byte[withRoom(size)];
  }

  /** Room for a body up to 1/16 longer, in whole 4 KiB pages. */
  static int withRoom(int size) {
    long room = (long) size + size / 16;
    return (int) Math.min(Integer.MAX_VALUE - 8, (room + 4095) & ~4095L);
  }

  /**
   * Hands a buffer back once nothing reads it any more; kept if there is room, else left to the
   * collector.
   */
  void give(byte[] buffer) {
    if (buffer == null || buffer.length < MIN_POOLED) {
      return;
    }
    synchronized (this) {
      if (idle.size() >= maxIdleBuffers || idleBytes + buffer.length > maxIdleBytes) {
        return;
      }
      for (byte[] kept : idle) {
        if (kept == buffer) {
          return; // given twice: keeping it twice would hand it to two requests
        }
      }
      idle.add(buffer);
      idleBytes += buffer.length;
    }
  }

  synchronized long idleBytes() {
    return idleBytes;
  }

  synchronized int idleBuffers() {
    return idle.size();
  }
}
