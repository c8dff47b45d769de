package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

class CodecsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Manifest.IoSignature MLP =
      new Manifest.IoSignature(
          List.of(new Manifest.TensorSpec("input", "float32", List.of(-1L, 3L))),
          List.of(new Manifest.TensorSpec("output", "float32", List.of(-1L, 2L))));
  private static final DecodeLimits LIMITS = DecodeLimits.forBody(1 << 20, false);
  private static final Manifest.IoSignature IDS =
      new Manifest.IoSignature(
          List.of(new Manifest.TensorSpec("ids", "int64", List.of(-1L, 2L))), List.of());

  private static void assertInvalid(ThrowableAssert.ThrowingCallable call, String... fragments) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.INVALID_INPUT))
        .hasMessageContainingAll(fragments);
  }

  @Test
  void json_inputs_decodeNestedArrayToShapeAndValues() throws Exception {
    Map<String, Tensor> t =
        JsonTensors.decode(
            MAPPER.readTree("{\"inputs\": {\"input\": [[1, 2, 3], [4, 5, 6.5]]}}"), MLP, LIMITS);
    assertThat(t.get("input").shape()).containsExactly(2, 3);
    assertThat(t.get("input").floats()).containsExactly(1, 2, 3, 4, 5, 6.5f);
  }

  @Test
  void json_instances_stackRowsAlongDimZero() throws Exception {
    Tensor t =
        JsonTensors.decode(MAPPER.readTree("{\"instances\": [[1, 2, 3]]}"), MLP, LIMITS)
            .get("input");
    assertThat(t.shape()).containsExactly(1, 3);
    Tensor ids =
        JsonTensors.decode(MAPPER.readTree("{\"instances\": [{\"ids\": [7, 8]}]}"), IDS, LIMITS)
            .get("ids");
    assertThat(ids.dtype()).isEqualTo(DType.INT64);
    assertThat(ids.longs()).containsExactly(7, 8);
  }

  @Test
  void json_rejectsRaggedArraysWrongDtypesAndUnknownInputs() {
    assertInvalid(
        () ->
            JsonTensors.decode(
                MAPPER.readTree("{\"inputs\": {\"input\": [[1, 2, 3], [4]]}}"), MLP, LIMITS),
        "'input'",
        "rectangular");
    assertInvalid(
        () ->
            JsonTensors.decode(
                MAPPER.readTree("{\"inputs\": {\"input\": [[1, \"x\", 3]]}}"), MLP, LIMITS),
        "float32");
    assertInvalid(
        () ->
            JsonTensors.decode(MAPPER.readTree("{\"inputs\": {\"ids\": [[1.5, 2]]}}"), IDS, LIMITS),
        "int64");
    assertInvalid(
        () -> JsonTensors.decode(MAPPER.readTree("{\"inputs\": {\"other\": [1]}}"), MLP, LIMITS),
        "'other'");
    assertInvalid(() -> JsonTensors.decode(MAPPER.readTree("[1, 2]"), MLP, LIMITS), "inputs");
  }

  @Test
  void csv_parsesRows_skippingHeader() {
    Tensor t =
        CsvTensors.decode("a,b,c\n1,2,3\n4,5,6\n\n".getBytes(StandardCharsets.UTF_8), MLP, LIMITS);
    assertThat(t.shape()).containsExactly(2, 3);
    assertThat(t.floats()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void csv_rejectsUnevenRowsAndNonNumbers() {
    assertInvalid(
        () -> CsvTensors.decode("1,2,3\n4,5\n".getBytes(StandardCharsets.UTF_8), MLP, LIMITS),
        "row 2",
        "columns");
    assertInvalid(
        () -> CsvTensors.decode("1,2,3\n4,x,6\n".getBytes(StandardCharsets.UTF_8), MLP, LIMITS),
        "row 2 column 2");
  }

  @Test
  void npy_roundTripsFloatAndInt64() {
    Tensor f = Tensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    assertThat(Npy.read(Npy.write(f))).isEqualTo(f);
    Tensor l = Tensor.ofLongs(new long[] {3}, new long[] {-1, 0, Long.MAX_VALUE});
    assertThat(Npy.read(Npy.write(l))).isEqualTo(l);
    Tensor scalar = Tensor.ofFloats(new long[] {}, new float[] {9});
    assertThat(Npy.read(Npy.write(scalar))).isEqualTo(scalar);
  }

  @Test
  void npy_readsNumpyWrittenHeader() {
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
    byte[] h =
        (header + " ".repeat(118 - header.length()) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
        .putShort((short) h.length)
        .put(h);
    b.putFloat(1.5f).putFloat(-2f);
    Tensor t = Npy.read(b.array());
    assertThat(t.shape()).containsExactly(1, 2);
    assertThat(t.floats()).containsExactly(1.5f, -2f);
  }

  @Test
  void npy_rejectsHugeShapesBadDtypesAndTruncatedData() {
    Tensor f = Tensor.ofFloats(new long[] {2}, new float[] {1, 2});
    byte[] ok = Npy.write(f);
    String text = new String(ok, StandardCharsets.ISO_8859_1);
    byte[] huge = text.replace("(2,)", "(99999999999,)").getBytes(StandardCharsets.ISO_8859_1);
    assertInvalid(() -> Npy.read(huge), "data bytes");
    byte[] f8 = text.replace("<f4", "<f8").getBytes(StandardCharsets.ISO_8859_1);
    assertInvalid(() -> Npy.read(f8), "'<f8'");
    byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 1);
    assertInvalid(() -> Npy.read(truncated), "data bytes");
    assertInvalid(() -> Npy.read("hello world!".getBytes(StandardCharsets.UTF_8)), "magic");
  }
}
