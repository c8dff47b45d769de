package dev.kiln.compiler.quant;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;

/** Builds the 8-bit and scale tensors that QuantizeLinear/DequantizeLinear read. */
final class QuantTensors {
  private QuantTensors() {}

  static TensorProto ofBytes(String name, long[] dims, byte[] values, ActivationType type) {
    DataType dataType = type == ActivationType.UINT8 ? DataType.UINT8 : DataType.INT8;
    TensorProto.Builder b =
        TensorProto.newBuilder().setName(name).setDataType(dataType.getNumber());
    for (long d : dims) {
      b.addDims(d);
    }
    return b.setRawData(ByteString.copyFrom(values)).build();
  }

  static TensorProto int8(String name, long[] dims, byte[] values) {
    return ofBytes(name, dims, values, ActivationType.INT8);
  }

  /** A zero point: one 8-bit value per scale. */
  static TensorProto zeroPoints(String name, int[] values, ActivationType type) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return ofBytes(
        name, values.length == 1 ? new long[0] : new long[] {values.length}, bytes, type);
  }

  static TensorProto scales(String name, float[] values) {
    return Tensors.ofFloats(
        name, values.length == 1 ? new long[0] : new long[] {values.length}, values);
  }
}
