package dev.kiln.artifact;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * A tensor's values as base64 of its little-endian bytes: compact, exact (no decimal rounding) and
 * readable by any language. {@code dtype} uses numpy names (float32, int64, ...).
 */
public record TensorData(String dtype, List<Long> shape, String data) {

  public static TensorData ofFloats(List<Long> shape, float[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return new TensorData("float32", shape, Base64.getEncoder().encodeToString(buffer.array()));
  }

  public static TensorData ofLongs(List<Long> shape, long[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asLongBuffer().put(values);
    return new TensorData("int64", shape, Base64.getEncoder().encodeToString(buffer.array()));
  }

  public ByteBuffer bytes() {
    return ByteBuffer.wrap(Base64.getDecoder().decode(data)).order(ByteOrder.LITTLE_ENDIAN);
  }

  public float[] floats() {
    requireDtype("float32");
    ByteBuffer bytes = bytes();
    float[] values = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(values);
    return values;
  }

  public long[] longs() {
    requireDtype("int64");
    ByteBuffer bytes = bytes();
    long[] values = new long[bytes.remaining() / 8];
    bytes.asLongBuffer().get(values);
    return values;
  }

  public long[] shapeArray() {
    return shape.stream().mapToLong(Long::longValue).toArray();
  }

  private void requireDtype(String expected) {
    if (!expected.equals(dtype)) {
      throw new IllegalStateException("tensor is " + dtype + ", not " + expected);
    }
  }
}
