package dev.kiln.link.protocol.capture;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as captured: dtype (numpy name), shape and raw little-endian bytes (base64 in JSON).
 * {@code data} is null when the record was truncated by the payload cap. The factories copy the
 * values, so the caller may reuse its arrays.
 */
public record CaptureTensor(String name, String dtype, long[] shape, byte[] data) {

  public static CaptureTensor ofFloats(String name, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new CaptureTensor(name, "float32", shape.clone(), b.array());
  }

  public static CaptureTensor ofLongs(String name, long[] shape, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new CaptureTensor(name, "int64", shape.clone(), b.array());
  }

  /** The values as doubles (float32/float64/int32/int64/uint8/int8), or null without data. */
  public double[] toDoubles() {
    if (data == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    double[] out;
    switch (dtype) {
      case "float32" -> {
        out = new double[data.length / 4];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getFloat();
        }
      }
      case "float64" -> {
        out = new double[data.length / 8];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getDouble();
        }
      }
      case "int64" -> {
        out = new double[data.length / 8];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getLong();
        }
      }
      case "int32" -> {
        out = new double[data.length / 4];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getInt();
        }
      }
      case "uint8" -> {
        out = new double[data.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = data[i] & 0xff;
        }
      }
      case "int8", "bool" -> {
        out = new double[data.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = data[i];
        }
      }
      default -> out = null;
    }
    return out;
  }

  @JsonIgnore
  public int dataBytes() {
    return data == null ? 0 : data.length;
  }

  public CaptureTensor withoutData() {
    return new CaptureTensor(name, dtype, shape, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CaptureTensor t
        && java.util.Objects.equals(name, t.name)
        && java.util.Objects.equals(dtype, t.dtype)
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "CaptureTensor[" + name + " " + dtype + " " + Arrays.toString(shape) + "]";
  }
}
