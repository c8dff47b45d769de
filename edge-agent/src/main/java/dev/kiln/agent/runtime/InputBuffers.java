package dev.kiln.agent.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * Native buffers for one runner's inputs, kept between runs: one set per run in flight, so at most
 * as many sets as the runner admits runs at once. A buffer grows to the largest input seen and is
 * kept up to {@link #MAX_KEPT_BYTES}; a larger one (a huge batch) is allocated for its run only.
 */
final class InputBuffers {
  /** A buffer larger than this is not kept: 16 MiB is 28 images of 224x224 in float32. */
  static final long MAX_KEPT_BYTES = 16L << 20;

  private final int inputs;
  private final int maxSets;
  private final ArrayDeque<ByteBuffer[]> idle = new ArrayDeque<>();

  InputBuffers(int inputs, int maxSets) {
    this.inputs = inputs;
    this.maxSets = maxSets;
  }

  /** A set for one run: kept buffers, or empty slots that {@link #atLeast} fills. */
  synchronized ByteBuffer[] take() {
    ByteBuffer[] set = idle.pollFirst();
    return set != null ? set : new ByteBuffer[inputs];
  }

  /** Gives a set back once the engine no longer reads it. */
  synchronized void give(ByteBuffer[] set) {
    if (idle.size() < maxSets) {
      idle.addFirst(set);
    }
  }

  /**
   * Slot {@code i} of {@code set}, cleared and limited to {@code bytes}, in the platform's byte
   * order (what the engine reads); replaced by a new buffer where the kept one is too small.
   */
  static ByteBuffer atLeast(ByteBuffer[] set, int i, long bytes) {
    ByteBuffer kept = set[i];
    if (kept == null || kept.capacity() < bytes) {
      kept = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
      set[i] = bytes <= MAX_KEPT_BYTES ? kept : null;
    }
    kept.clear().limit((int) bytes);
    return kept;
  }
}
