package dev.kiln.agent.http.oip;

import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The bytes after the JSON part of a binary-extension request: each input with {@code
 * binary_data_size} takes the next that many bytes, little-endian, row-major, in the order the
 * inputs are listed. Every byte must belong to an input.
 */
final class BinarySection {
  private final byte[] body;
  private int at;

  BinarySection(byte[] body, int start) {
    this.body = body;
    this.at = start;
  }

  /**
   * The next input's tensor; {@code count} was already admitted for the shape, and the size the
   * client gave must be exactly that many elements, so nothing is allocated on a claim alone.
   */
  Tensor next(String name, DType dtype, long[] shape, int count, long size, DecodeLimits limits) {
    long want = (long) count * dtype.bytes();
    if (size != want) {
      throw InferRequest.bad(
          "input '"
              + name
              + "': binary_data_size is "
              + size
              + " bytes but its shape and datatype need "
              + want);
    }
    if (size > body.length - at) {
      throw InferRequest.bad(
          "input '"
              + name
              + "': binary_data_size "
              + size
              + " runs past the end of the body ("
              + (body.length - at)
              + " bytes left)");
    }
    ByteBuffer buf = ByteBuffer.wrap(body, at, (int) size).slice().order(ByteOrder.LITTLE_ENDIAN);
    at += (int) size;
    if (dtype == DType.FLOAT32) {
      float[] values = new float[count];
      buf.asFloatBuffer().get(values);
      limits.checkedAll(name, values);
      return Tensor.ofFloats(shape, values);
    }
    long[] values = new long[count];
    buf.asLongBuffer().get(values);
    return Tensor.ofLongs(shape, values);
  }

  void requireConsumed() {
    if (at != body.length) {
      throw InferRequest.bad(
          (body.length - at)
              + " bytes after the JSON header belong to no input; each binary input needs"
              + " parameters.binary_data_size");
    }
  }
}
