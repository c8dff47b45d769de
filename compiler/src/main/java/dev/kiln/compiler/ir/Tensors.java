package dev.kiln.compiler.ir;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Converts between {@link TensorProto} and Java arrays. Reads either storage ONNX allows (raw_data
 * little-endian or the typed repeated fields); always writes raw_data, which is what exporters
 * produce and what ONNX Runtime reads fastest.
 */
public final class Tensors {
  private Tensors() {}

  /** Number of elements implied by {@code dims}; 1 for a scalar. */
  public static long elementCount(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  public static long[] dims(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  /** True when the data lives in this proto (not external) and Kiln can decode its type. */
  public static boolean isReadable(TensorProto t) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      return false;
    }
    int type = t.getDataType();
    return type == DataType.FLOAT_VALUE
        || type == DataType.DOUBLE_VALUE
        || type == DataType.INT64_VALUE
        || type == DataType.INT32_VALUE;
  }

  public static float[] toFloats(TensorProto t) {
    requireInline(t);
    int n = count(t);
    if (t.getDataType() == DataType.FLOAT_VALUE) {
      if (t.hasRawData()) {
        float[] out = new float[n];
        raw(t, 4 * n).asFloatBuffer().get(out);
        return out;
      }
      return floats(t.getFloatDataList(), n, t);
    }
    double[] d = toDoubles(t);
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }

  public static double[] toDoubles(TensorProto t) {
    requireInline(t);
    int n = count(t);
    switch (t.getDataType()) {
      case DataType.DOUBLE_VALUE -> {
        double[] out = new double[n];
        if (t.hasRawData()) {
          raw(t, 8 * n).asDoubleBuffer().get(out);
        } else {
          checkCount(t.getDoubleDataCount(), n, t);
          for (int i = 0; i < n; i++) {
            out[i] = t.getDoubleData(i);
          }
        }
        return out;
      }
      case DataType.FLOAT_VALUE -> {
        float[] f = toFloats(t);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = f[i];
        }
        return out;
      }
      case DataType.INT64_VALUE, DataType.INT32_VALUE -> {
        long[] l = toLongs(t);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = l[i];
        }
        return out;
      }
      default -> throw unsupported(t);
    }
  }

  public static long[] toLongs(TensorProto t) {
    requireInline(t);
    int n = count(t);
    long[] out = new long[n];
    switch (t.getDataType()) {
      case DataType.INT64_VALUE -> {
        if (t.hasRawData()) {
          raw(t, 8 * n).asLongBuffer().get(out);
        } else {
          checkCount(t.getInt64DataCount(), n, t);
          for (int i = 0; i < n; i++) {
            out[i] = t.getInt64Data(i);
          }
        }
      }
      case DataType.INT32_VALUE -> {
        int[] ints = toInts(t);
        for (int i = 0; i < n; i++) {
          out[i] = ints[i];
        }
      }
      default -> throw unsupported(t);
    }
    return out;
  }

  public static int[] toInts(TensorProto t) {
    requireInline(t);
    int n = count(t);
    int[] out = new int[n];
    switch (t.getDataType()) {
      case DataType.INT32_VALUE -> {
        if (t.hasRawData()) {
          raw(t, 4 * n).asIntBuffer().get(out);
        } else {
          checkCount(t.getInt32DataCount(), n, t);
          for (int i = 0; i < n; i++) {
            out[i] = t.getInt32Data(i);
          }
        }
      }
      case DataType.INT64_VALUE -> {
        long[] l = toLongs(t);
        for (int i = 0; i < n; i++) {
          out[i] = Math.toIntExact(l[i]);
        }
      }
      default -> throw unsupported(t);
    }
    return out;
  }

  public static TensorProto ofFloats(String name, long[] dims, float[] values) {
    ByteBuffer buf = buffer(4 * values.length);
    buf.asFloatBuffer().put(values);
    return build(name, dims, DataType.FLOAT, buf);
  }

  public static TensorProto ofDoubles(String name, long[] dims, double[] values) {
    ByteBuffer buf = buffer(8 * values.length);
    buf.asDoubleBuffer().put(values);
    return build(name, dims, DataType.DOUBLE, buf);
  }

  public static TensorProto ofLongs(String name, long[] dims, long[] values) {
    ByteBuffer buf = buffer(8 * values.length);
    buf.asLongBuffer().put(values);
    return build(name, dims, DataType.INT64, buf);
  }

  public static TensorProto ofInts(String name, long[] dims, int[] values) {
    ByteBuffer buf = buffer(4 * values.length);
    buf.asIntBuffer().put(values);
    return build(name, dims, DataType.INT32, buf);
  }

  private static TensorProto build(String name, long[] dims, DataType type, ByteBuffer data) {
    long values = data.capacity() / width(type);
    if (elementCount(dims) != values) {
      throw new IllegalArgumentException(
          "tensor " + name + ": " + values + " values do not fill dims " + Arrays.toString(dims));
    }
    TensorProto.Builder b = TensorProto.newBuilder().setDataType(type.getNumber());
    if (name != null) {
      b.setName(name);
    }
    for (long d : dims) {
      b.addDims(d);
    }
    return b.setRawData(ByteString.copyFrom(data.array())).build();
  }

  private static int width(DataType type) {
    return type == DataType.DOUBLE || type == DataType.INT64 ? 8 : 4;
  }

  private static ByteBuffer buffer(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer raw(TensorProto t, int expectedBytes) {
    ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (buf.remaining() != expectedBytes) {
      throw new IrException(
          IrErrorCode.UNSUPPORTED_TENSOR,
          "tensor '"
              + t.getName()
              + "' has "
              + buf.remaining()
              + " bytes of raw_data but its dims "
              + t.getDimsList()
              + " need "
              + expectedBytes
              + "; the model file is corrupt, re-export it");
    }
    return buf;
  }

  private static float[] floats(List<Float> list, int n, TensorProto t) {
    checkCount(list.size(), n, t);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  private static void checkCount(int actual, int expected, TensorProto t) {
    if (actual != expected) {
      throw new IrException(
          IrErrorCode.UNSUPPORTED_TENSOR,
          "tensor '"
              + t.getName()
              + "' holds "
              + actual
              + " values but its dims "
              + t.getDimsList()
              + " need "
              + expected
              + "; the model file is corrupt, re-export it");
    }
  }

  private static int count(TensorProto t) {
    long n = elementCount(dims(t));
    if (n > Integer.MAX_VALUE / 8) {
      throw new IrException(
          IrErrorCode.UNSUPPORTED_TENSOR,
          "tensor '" + t.getName() + "' has " + n + " elements, too many to convert in memory");
    }
    return (int) n;
  }

  private static void requireInline(TensorProto t) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      throw new IrException(
          IrErrorCode.UNSUPPORTED_TENSOR,
          "tensor '"
              + t.getName()
              + "' keeps its data in an external file; Kiln needs it inline."
              + " Re-export without external data or load it with onnx.load and save it again");
    }
  }

  private static IrException unsupported(TensorProto t) {
    DataType type = DataType.forNumber(t.getDataType());
    return new IrException(
        IrErrorCode.UNSUPPORTED_TENSOR,
        "tensor '"
            + t.getName()
            + "' has data type "
            + (type == null ? t.getDataType() : type)
            + "; Kiln converts only FLOAT, DOUBLE, INT64 and INT32 tensors");
  }
}
