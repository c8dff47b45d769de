package dev.kiln.compiler.quant;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.ir.Tensors;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Float tensors stored as fp16, or rounded through fp16 and kept float. */
final class Fp16Tensors {
  /** A converted tensor and how many of its finite values lay beyond fp16's range. */
  record Converted(TensorProto tensor, int clamped) {}

  private Fp16Tensors() {}

  /**
   * The tensor as FLOAT16. Finite values beyond ±65504 are clamped to it rather than becoming
   * infinities, which would poison every sum they enter; the caller reports how many there were.
   */
  static Converted toFp16(TensorProto t) {
    float[] values = Tensors.toFloats(t);
    ByteBuffer buf = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    int clamped = 0;
    for (float v : values) {
      if (Float.isFinite(v) && Math.abs(v) > Binary16.MAX) {
        v = Math.copySign(Binary16.MAX, v);
        clamped++;
      }
      buf.putShort(Binary16.fromFloat(v));
    }
    TensorProto.Builder b =
        t.toBuilder()
            .clearFloatData()
            .clearRawData()
            .setDataType(DataType.FLOAT16_VALUE)
            .setRawData(ByteString.copyFrom(buf.array()));
    return new Converted(b.build(), clamped);
  }

  /** The tensor still FLOAT, each value replaced by the fp16 value {@link #toFp16} would store. */
  static Converted rounded(TensorProto t) {
    float[] values = Tensors.toFloats(t);
    int clamped = 0;
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (Float.isFinite(v) && Math.abs(v) > Binary16.MAX) {
        v = Math.copySign(Binary16.MAX, v);
        clamped++;
      }
      values[i] = Binary16.round(v);
    }
    TensorProto out = Tensors.ofFloats(t.getName(), Tensors.dims(t), values);
    return new Converted(out.toBuilder().setDocString(t.getDocString()).build(), clamped);
  }

  /** fp16 values read back as floats (for tests and reports). */
  static float[] fp16Values(TensorProto t) {
    ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[buf.remaining() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = Binary16.toFloat(buf.getShort());
    }
    return out;
  }
}
