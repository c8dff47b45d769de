package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/** Element-wise binary arithmetic with numpy (multidirectional) broadcasting. */
final class Broadcast {
  private Broadcast() {}

  /**
   * Applies {@code op} to {@code a} and {@code b}; returns null when the types differ or are not
   * foldable, the shapes do not broadcast, or the op cannot be evaluated (integer division by 0).
   */
  static ConstTensor apply(String op, ConstTensor a, ConstTensor b) {
    if (a.dataType() != b.dataType()) {
      return null;
    }
    long[] dims = broadcastDims(a.dims(), b.dims());
    if (dims == null) {
      return null;
    }
    int n = Math.toIntExact(count(dims));
    int[] ia = sourceIndex(a.dims(), dims, n);
    int[] ib = sourceIndex(b.dims(), dims, n);
    if (a.floating()) {
      DoubleBinaryOperator f = realOp(op);
      boolean single = a.dataType() == DataType.FLOAT_VALUE;
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        double v = f.applyAsDouble(a.reals()[ia[i]], b.reals()[ib[i]]);
        // Double then float rounding equals float arithmetic for + - * / (enough guard bits).
        out[i] = single ? (float) v : v;
      }
      return new ConstTensor(a.dataType(), dims, out, null);
    }
    LongBinaryOperator f = intOp(op);
    boolean int32 = a.dataType() == DataType.INT32_VALUE;
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long y = b.ints()[ib[i]];
      if (op.equals("Div") && y == 0) {
        return null;
      }
      long v = f.applyAsLong(a.ints()[ia[i]], y);
      out[i] = int32 ? (int) v : v;
    }
    return new ConstTensor(a.dataType(), dims, null, out);
  }

  private static DoubleBinaryOperator realOp(String op) {
    return switch (op) {
      case "Add" -> Double::sum;
      case "Sub" -> (x, y) -> x - y;
      case "Mul" -> (x, y) -> x * y;
      case "Div" -> (x, y) -> x / y;
      default -> throw new IllegalArgumentException(op);
    };
  }

  private static LongBinaryOperator intOp(String op) {
    // Java's / truncates toward zero, as C++ integer division in ONNX Runtime does.
    return switch (op) {
      case "Add" -> Long::sum;
      case "Sub" -> (x, y) -> x - y;
      case "Mul" -> (x, y) -> x * y;
      case "Div" -> (x, y) -> x / y;
      default -> throw new IllegalArgumentException(op);
    };
  }

  static long[] broadcastDims(long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da != db && da != 1 && db != 1) {
        return null;
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** For each output element, the flat index of the input element it reads. */
  private static int[] sourceIndex(long[] in, long[] out, int n) {
    int offset = out.length - in.length;
    long[] inStrides = ConstTensor.strides(in);
    int[] idx = new int[n];
    int[] coord = new int[out.length];
    for (int i = 0; i < n; i++) {
      long src = 0;
      for (int d = 0; d < in.length; d++) {
        if (in[d] != 1) {
          src += coord[d + offset] * inStrides[d];
        }
      }
      idx[i] = (int) src;
      for (int d = out.length - 1; d >= 0; d--) {
        if (++coord[d] < out[d]) {
          break;
        }
        coord[d] = 0;
      }
    }
    return idx;
  }

  static long count(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }
}
