package dev.kiln.agent.runtime;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.Arrays;

/**
 * An engine-neutral tensor: a dtype, a shape and its values in row-major order. Exactly one of
 * {@code floats} (float32) or {@code longs} (int64) is set. Immutable by convention: never write to
 * the arrays after construction.
 */
public record Tensor(DType dtype, long[] shape, float[] floats, long[] longs) {

  public Tensor {
    long n = elementCount(shape);
    int actual = dtype == DType.FLOAT32 ? floats.length : longs.length;
    if (n != actual) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          "shape " + Arrays.toString(shape) + " needs " + n + " values but has " + actual);
    }
  }

  public static Tensor ofFloats(long[] shape, float[] values) {
    return new Tensor(DType.FLOAT32, shape, values, null);
  }

  public static Tensor ofLongs(long[] shape, long[] values) {
    return new Tensor(DType.INT64, shape, null, values);
  }

  public int size() {
    return dtype == DType.FLOAT32 ? floats.length : longs.length;
  }

  /** Value {@code i} as a double, whatever the dtype; for comparisons and JSON output. */
  public double get(int i) {
    return dtype == DType.FLOAT32 ? floats[i] : longs[i];
  }

  /** Rows along dim 0, or 1 for a scalar. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new AgentException(
            AgentErrorCode.INVALID_INPUT, "negative dimension in shape " + Arrays.toString(shape));
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new AgentException(
            AgentErrorCode.INVALID_INPUT, "shape " + Arrays.toString(shape) + " is too large");
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "Tensor[" + dtype.numpyName() + " " + Arrays.toString(shape) + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(floats, t.floats)
        && Arrays.equals(longs, t.longs);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + dtype.hashCode();
  }
}
