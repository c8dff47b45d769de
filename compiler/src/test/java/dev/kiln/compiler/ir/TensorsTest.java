package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.ir.proto.StringStringEntryProto;
import dev.kiln.compiler.ir.proto.TensorProto;
import dev.kiln.compiler.ir.proto.TensorProto.DataType;
import org.junit.jupiter.api.Test;

class TensorsTest {
  @Test
  void floats_roundTripThroughRawData_littleEndian() {
    TensorProto t = Tensors.ofFloats("w", new long[] {2}, new float[] {1.0f, -2.5f});
    assertThat(t.getRawData().toByteArray())
        .containsExactly(0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0);
    assertThat(Tensors.toFloats(t)).containsExactly(1.0f, -2.5f);
    assertThat(Tensors.toDoubles(t)).containsExactly(1.0, -2.5);
  }

  @Test
  void typedFields_areReadLikeRawData() {
    TensorProto f =
        TensorProto.newBuilder()
            .setDataType(DataType.FLOAT_VALUE)
            .addDims(3)
            .addFloatData(1)
            .addFloatData(2)
            .addFloatData(3)
            .build();
    assertThat(Tensors.toFloats(f)).containsExactly(1, 2, 3);
    TensorProto l =
        TensorProto.newBuilder().setDataType(DataType.INT64_VALUE).addInt64Data(-7).build();
    assertThat(Tensors.toLongs(l)).containsExactly(-7);
    TensorProto i =
        TensorProto.newBuilder()
            .setDataType(DataType.INT32_VALUE)
            .addDims(2)
            .addInt32Data(5)
            .addInt32Data(-1)
            .build();
    assertThat(Tensors.toInts(i)).containsExactly(5, -1);
    assertThat(Tensors.toLongs(i)).containsExactly(5, -1);
    TensorProto d =
        TensorProto.newBuilder().setDataType(DataType.DOUBLE_VALUE).addDoubleData(0.25).build();
    assertThat(Tensors.toDoubles(d)).containsExactly(0.25);
    assertThat(Tensors.toFloats(d)).containsExactly(0.25f);
  }

  @Test
  void longsIntsAndDoubles_roundTrip() {
    assertThat(Tensors.toLongs(Tensors.ofLongs("s", new long[] {2}, new long[] {1L << 40, -1})))
        .containsExactly(1L << 40, -1);
    assertThat(Tensors.toInts(Tensors.ofInts("i", new long[] {1}, new int[] {42})))
        .containsExactly(42);
    assertThat(Tensors.toDoubles(Tensors.ofDoubles("d", new long[] {}, new double[] {Math.PI})))
        .containsExactly(Math.PI);
  }

  @Test
  void ofFloats_rejectsCountMismatch() {
    assertThatThrownBy(() -> Tensors.ofFloats("w", new long[] {3}, new float[2]))
        .hasMessageContaining("do not fill dims [3]");
  }

  @Test
  void read_fails_whenRawDataSizeWrong() {
    TensorProto t =
        TensorProto.newBuilder()
            .setName("w")
            .setDataType(DataType.FLOAT_VALUE)
            .addDims(4)
            .setRawData(ByteString.copyFrom(new byte[8]))
            .build();
    assertThatThrownBy(() -> Tensors.toFloats(t))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.UNSUPPORTED_TENSOR))
        .hasMessageContaining("8 bytes of raw_data")
        .hasMessageContaining("need 16");
  }

  @Test
  void externalAndUnsupportedTensors_areNotReadable() {
    TensorProto ext =
        Tensors.ofFloats("w", new long[] {1}, new float[1]).toBuilder()
            .clearRawData()
            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(
                StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
            .build();
    assertThat(Tensors.isReadable(ext)).isFalse();
    assertThatThrownBy(() -> Tensors.toFloats(ext)).hasMessageContaining("external file");
    TensorProto bool = TensorProto.newBuilder().setDataType(DataType.BOOL_VALUE).build();
    assertThat(Tensors.isReadable(bool)).isFalse();
    assertThatThrownBy(() -> Tensors.toLongs(bool)).hasMessageContaining("data type BOOL");
  }
}
