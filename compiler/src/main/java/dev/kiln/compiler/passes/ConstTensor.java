package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;

/**
 * A constant value during folding. Floating types keep their values in {@code reals} (a float
 * widens to double exactly), integer types in {@code ints}, so int64 shape arithmetic never loses
 * precision.
 */
record ConstTensor(int dataType, long[] dims, double[] reals, long[] ints) {

  static boolean isFloating(int type) {
    return type == DataType.FLOAT_VALUE || type == DataType.DOUBLE_VALUE;
  }

  static boolean isSupported(int type) {
    return isFloating(type) || type == DataType.INT64_VALUE || type == DataType.INT32_VALUE;
  }

  static ConstTensor of(TensorProto t) {
    long[] dims = Tensors.dims(t);
    return isFloating(t.getDataType())
        ? new ConstTensor(t.getDataType(), dims, Tensors.toDoubles(t), null)
        : new ConstTensor(t.getDataType(), dims, null, Tensors.toLongs(t));
  }

  static ConstTensor ofLongs(long[] dims, long[] values) {
    return new ConstTensor(DataType.INT64_VALUE, dims, null, values);
  }

  boolean floating() {
    return reals != null;
  }

  int size() {
    return floating() ? reals.length : ints.length;
  }

  int rank() {
    return dims.length;
  }

  /** Same values, new shape (caller checked the element count). */
  ConstTensor reshaped(long[] newDims) {
    return new ConstTensor(dataType, newDims, reals, ints);
  }

  /** Element {@code i} of the result is element {@code source[i]} of this tensor. */
  ConstTensor gather(int[] source, long[] newDims) {
    if (floating()) {
      double[] out = new double[source.length];
      for (int i = 0; i < source.length; i++) {
        out[i] = reals[source[i]];
      }
      return new ConstTensor(dataType, newDims, out, null);
    }
    long[] out = new long[source.length];
    for (int i = 0; i < source.length; i++) {
      out[i] = ints[source[i]];
    }
    return new ConstTensor(dataType, newDims, null, out);
  }

  /** Row-major strides of {@code dims}. */
  static long[] strides(long[] dims) {
    long[] s = new long[dims.length];
    long acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  TensorProto toProto(String name) {
    return switch (dataType) {
      case DataType.FLOAT_VALUE -> {
        float[] f = new float[reals.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) reals[i];
        }
        yield Tensors.ofFloats(name, dims, f);
      }
      case DataType.DOUBLE_VALUE -> Tensors.ofDoubles(name, dims, reals);
      case DataType.INT64_VALUE -> Tensors.ofLongs(name, dims, ints);
      case DataType.INT32_VALUE -> {
        int[] v = new int[ints.length];
        for (int i = 0; i < v.length; i++) {
          v[i] = (int) ints[i];
        }
        yield Tensors.ofInts(name, dims, v);
      }
      default -> throw new IllegalStateException("unsupported constant type " + dataType);
    };
  }
}
