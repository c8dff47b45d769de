package dev.kiln.agent.http;

import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one input's tensor from the events of a nested JSON array (array opened, array closed,
 * number), whichever parser reads the text. The rank is fixed by the first scalar met, each
 * dimension by the first array closed at its depth; every later array must match, which is what
 * rectangular means. Every method answers false where the body must be left to the tree decoder,
 * which names the problem.
 *
 * <p>The values go into one primitive array sized from the signature (a dynamic dimension counted
 * as 1) and never beyond {@link DecodeLimits#maxElements}, so a small body cannot make it allocate
 * much; it grows only for larger batches.
 */
final class TensorAssembler {
  /** Nesting allowed when the signature gives no rank; ranks beyond this are not tensors. */
  static final int MAX_RANK_WITHOUT_SIGNATURE = 32;

  private final Manifest.TensorSpec spec;
  private final DecodeLimits limits;
  private final boolean floats;
  private final int maxDepth;
  private final long[] dims;
  private final boolean[] dimKnown;
  private final long[] counts;
  private int rank = -1;
  private float[] floatValues;
  private long[] longValues;
  private int at;

  TensorAssembler(Manifest.TensorSpec spec, DecodeLimits limits) {
    this.spec = spec;
    this.limits = limits;
    this.floats = DType.fromNumpy(spec.dtype()) == DType.FLOAT32;
    this.maxDepth = spec.shape() == null ? MAX_RANK_WITHOUT_SIGNATURE : spec.shape().size();
    this.dims = new long[maxDepth];
    this.dimKnown = new boolean[maxDepth];
    this.counts = new long[maxDepth];
    int capacity = (int) Math.min(expectedCount(spec), limits.maxElements());
    if (floats) {
      floatValues = new float[capacity];
    } else {
      longValues = new long[capacity];
    }
  }

  /** The element count the signature implies with every dynamic dimension at 1. */
  private static long expectedCount(Manifest.TensorSpec spec) {
    List<Long> shape = spec.shape();
    if (shape == null) {
      return 1024;
    }
    long n = 1;
    for (long d : shape) {
      n = d > 0 ? Math.min(n * d, Integer.MAX_VALUE - 8) : n;
    }
    return n;
  }

  String name() {
    return spec.name();
  }

  boolean takesFloats() {
    return floats;
  }

  DecodeLimits limits() {
    return limits;
  }

  /** An array opens with {@code depth} arrays already open around it. */
  boolean open(int depth) {
    if (depth >= maxDepth || (rank >= 0 && depth >= rank)) {
      return false;
    }
    if (!countChild(depth)) {
      return false;
    }
    counts[depth] = 0;
    return true;
  }

  /** The array opened at {@code depth} closes. */
  boolean close(int depth) {
    if (!dimKnown[depth]) {
      dims[depth] = counts[depth];
      dimKnown[depth] = true;
      // An empty array: the tree decoder names the shape it claims.
      return counts[depth] != 0;
    }
    return counts[depth] == dims[depth];
  }

  /** Counts one more element in the array open at {@code depth - 1}. */
  private boolean countChild(int depth) {
    if (depth == 0) {
      return true;
    }
    long n = ++counts[depth - 1];
    return !dimKnown[depth - 1] || n <= dims[depth - 1];
  }

  /** A number (already checked finite, or allowed not to be) at {@code depth}, float input. */
  boolean addFloat(float value, int depth) {
    if (!scalarAt(depth)) {
      return false;
    }
    floatValues[at++] = value;
    return true;
  }

  /**
   * Reads a run of numbers of the innermost array open at {@code depth} straight into the values
   * ({@link JsonCursor#scanFloats}), as many as fit the array and the dimension known at this
   * depth; answers how many. Zero where a float input's run cannot start here (not the innermost
   * depth, no room left, a number the loop does not take): the caller then reads one number the
   * general way, which grows the array or declines.
   */
  int takeFloats(JsonCursor cursor, int depth) {
    if (!floats || depth == 0 || (rank >= 0 && depth != rank)) {
      return 0;
    }
    long room = room(depth);
    if (room <= 0) {
      return 0;
    }
    int n = cursor.scanFloats(floatValues, at, (int) room);
    if (n > 0) {
      took(n, depth);
    }
    return n;
  }

  /**
   * Numbers another reader took from the body ({@link SecondHalf}), at {@code depth}, float input:
   * the same checks as {@link #addFloat} for each, at once where they all fit.
   */
  boolean addFloats(float[] values, int from, int n, int depth) {
    if (n > 0 && depth > 0 && (rank < 0 || depth == rank) && room(depth) >= n) {
      System.arraycopy(values, from, floatValues, at, n);
      took(n, depth);
      return true;
    }
    for (int i = 0; i < n; i++) {
      if (!addFloat(values[from + i], depth)) {
        return false;
      }
    }
    return true;
  }

  /**
   * How many more floats the innermost array open at {@code depth} (above 0) takes without a check
   * failing: the room left in the values, and in the dimension once it is known.
   */
  private long room(int depth) {
    long room = floatValues.length - at;
    return dimKnown[depth - 1] ? Math.min(room, dims[depth - 1] - counts[depth - 1]) : room;
  }

  /** Counts {@code n} floats just written at {@code depth}, which fits (see {@link #room}). */
  private void took(int n, int depth) {
    rank = depth;
    at += n;
    counts[depth - 1] += n;
  }

  /** An integer at {@code depth}, int64 input. */
  boolean addLong(long value, int depth) {
    if (!scalarAt(depth)) {
      return false;
    }
    longValues[at++] = value;
    return true;
  }

  private boolean scalarAt(int depth) {
    if (rank < 0) {
      rank = depth;
    }
    if (depth != rank || !countChild(depth)) {
      return false;
    }
    return at < (floats ? floatValues.length : longValues.length) || grow();
  }

  /** Doubles the array, never past the element limit that the body's size sets. */
  private boolean grow() {
    int length = floats ? floatValues.length : longValues.length;
    long limit = Math.min(limits.maxElements(), Integer.MAX_VALUE - 8);
    if (length >= limit) {
      return false;
    }
    int bigger = (int) Math.min(limit, Math.max(1024L, 2L * length));
    if (floats) {
      floatValues = Arrays.copyOf(floatValues, bigger);
    } else {
      longValues = Arrays.copyOf(longValues, bigger);
    }
    return true;
  }

  /** The tensor, once the outermost array closed (or the lone scalar was read); null if refused. */
  Tensor finish() {
    long[] shape = Arrays.copyOf(dims, rank);
    int count = limits.admit(spec.name(), spec, shape);
    if (count != at) {
      return null;
    }
    if (floats) {
      float[] values = floatValues.length == count ? floatValues : Arrays.copyOf(floatValues, at);
      return Tensor.ofFloats(shape, values);
    }
    long[] values = longValues.length == count ? longValues : Arrays.copyOf(longValues, at);
    return Tensor.ofLongs(shape, values);
  }
}
