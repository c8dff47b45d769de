package dev.kiln.compiler.ort;

import dev.kiln.artifact.TensorData;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor held on the host for verification and benchmarks. {@code values} is a float[] (float32)
 * or long[] (int64), the two dtypes model inputs use in practice; others are refused up front.
 */
public record HostTensor(String dtype, long[] shape, Object values) {

  public static HostTensor ofFloats(long[] shape, float[] values) {
    return new HostTensor("float32", shape, values);
  }

  public static HostTensor ofLongs(long[] shape, long[] values) {
    return new HostTensor("int64", shape, values);
  }

  public static HostTensor of(TensorData data) {
    return switch (data.dtype()) {
      case "float32" -> ofFloats(data.shapeArray(), data.floats());
      case "int64" -> ofLongs(data.shapeArray(), data.longs());
      default -> throw new IllegalArgumentException("unsupported dtype " + data.dtype());
    };
  }

  public TensorData toData() {
    List<Long> dims = Arrays.stream(shape).boxed().toList();
    return values instanceof float[] f
        ? TensorData.ofFloats(dims, f)
        : TensorData.ofLongs(dims, (long[]) values);
  }

  /** Values widened to double, for error measurement. */
  public double[] asDoubles() {
    if (values instanceof float[] f) {
      double[] out = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        out[i] = f[i];
      }
      return out;
    }
    return Arrays.stream((long[]) values).asDoubleStream().toArray();
  }

  public int size() {
    return values instanceof float[] f ? f.length : ((long[]) values).length;
  }
}
