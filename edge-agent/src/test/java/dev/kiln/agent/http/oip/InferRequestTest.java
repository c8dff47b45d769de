package dev.kiln.agent.http.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import dev.kiln.json.JsonTrees;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

class InferRequestTest {
  private static final Manifest.IoSignature MLP =
      new Manifest.IoSignature(
          List.of(new Manifest.TensorSpec("input", "float32", List.of(-1L, 3L))),
          List.of(
              new Manifest.TensorSpec("output", "float32", List.of(-1L, 2L)),
              new Manifest.TensorSpec("ids", "int64", List.of(-1L))));
  private static final Manifest.IoSignature IDS =
      new Manifest.IoSignature(
          List.of(new Manifest.TensorSpec("ids", "int64", List.of(-1L, 2L))), List.of());

  private static InferRequest parse(String json, Manifest.IoSignature sig) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return InferRequest.parse(body, null, sig, DecodeLimits.forBody(body.length, false));
  }

  private static byte[] binaryBody(String json, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static byte[] floatsLe(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static void assertInvalid(ThrowableAssert.ThrowingCallable call, String... fragments) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.INVALID_INPUT))
        .hasMessageContainingAll(fragments);
  }

  @Test
  void flatAndNestedData_decodeToTheSameTensor() {
    String flat =
        "{\"id\": \"r1\", \"inputs\": [{\"name\": \"input\", \"shape\": [2, 3], \"datatype\":"
            + " \"FP32\", \"data\": [1, 2, 3, 4, 5, 6.5]}]}";
    String nested =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\":"
            + " [[1, 2, 3], [4, 5, 6.5]]}]}";
    InferRequest a = parse(flat, MLP);
    InferRequest b = parse(nested, MLP);
    assertThat(a.id()).isEqualTo("r1");
    assertThat(b.id()).isNull();
    assertThat(a.inputs().get("input")).isEqualTo(b.inputs().get("input"));
    assertThat(a.inputs().get("input").shape()).containsExactly(2, 3);
    assertThat(a.inputs().get("input").floats()).containsExactly(1, 2, 3, 4, 5, 6.5f);
  }

  @Test
  void int64Inputs_decode_andFloatsInThemAreRefused() {
    Tensor ids =
        parse(
                "{\"inputs\": [{\"name\": \"ids\", \"shape\": [1, 2], \"datatype\": \"INT64\","
                    + " \"data\": [7, 9007199254740993]}]}",
                IDS)
            .inputs()
            .get("ids");
    assertThat(ids.longs()).containsExactly(7, 9007199254740993L);
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"ids\", \"shape\": [1, 2], \"datatype\": \"INT64\","
                    + " \"data\": [7, 1.5]}]}",
                IDS),
        "'ids'",
        "INT64",
        "1.5");
  }

  @Test
  void datatypes_otherThanTheInputs_areRefusedByName() {
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"BYTES\","
                    + " \"data\": [\"a\", \"b\", \"c\"]}]}",
                MLP),
        "'input'",
        "BYTES",
        "FP32");
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FLOAT\","
                    + " \"data\": [1, 2, 3]}]}",
                MLP),
        "'FLOAT'",
        "does not define");
  }

  @Test
  void wrongCounts_shapesAndNames_areRefusedNamingTheProblem() {
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 3], \"datatype\": \"FP32\","
                    + " \"data\": [1, 2, 3]}]}",
                MLP),
        "'input'",
        "6 values",
        "holds 3");
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                    + " \"data\": [1, 2, 3, 4]}]}",
                MLP),
        "more values");
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                    + " \"data\": [1, 2, 3, 4]}]}",
                MLP),
        "'input'",
        "[1, 4]");
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                    + " \"data\": [1, 2, 3]}]}",
                MLP),
        "no input 'x'",
        "[input]");
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                    + " \"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"nope\"}]}",
                MLP),
        "no output 'nope'",
        "[output, ids]");
    assertInvalid(() -> parse("{\"inputs\": []}", MLP), "non-empty \"inputs\"");
    assertInvalid(() -> parse("{\"inputs\": [", MLP), "not valid JSON");
  }

  @Test
  void hugeClaimedShape_isRefusedBeforeAllocating() {
    assertInvalid(
        () ->
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1000000000, 3], \"datatype\":"
                    + " \"FP32\", \"data\": [1]}]}",
                MLP),
        "more than the");
  }

  @Test
  void binaryInputs_readAfterTheJsonHeader_littleEndian() {
    String json =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\","
            + " \"parameters\": {\"binary_data_size\": 12}}],"
            + " \"outputs\": [{\"name\": \"output\", \"parameters\": {\"binary_data\": true}}]}";
    byte[] body = binaryBody(json, floatsLe(1.5f, -2f, 3f));
    InferRequest r =
        InferRequest.parse(
            body, Integer.toString(json.length()), MLP, DecodeLimits.forBody(body.length, false));
    assertThat(r.inputs().get("input").floats()).containsExactly(1.5f, -2f, 3f);
    assertThat(r.outputs()).containsExactly(new InferRequest.RequestedOutput("output", true));
  }

  @Test
  void binaryHostileSizes_areRefused() {
    String json =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\","
            + " \"parameters\": {\"binary_data_size\": 12}}]}";
    byte[] body = binaryBody(json, floatsLe(1, 2, 3));
    DecodeLimits limits = DecodeLimits.forBody(body.length, false);
    assertInvalid(
        () -> InferRequest.parse(body, Integer.toString(body.length + 1), MLP, limits),
        "Inference-Header-Content-Length",
        "does not fit");
    assertInvalid(() -> InferRequest.parse(body, "-5", MLP, limits), "does not fit");
    assertInvalid(() -> InferRequest.parse(body, "12abc", MLP, limits), "not a number");
    // The header cut short of the JSON: the JSON is invalid.
    assertInvalid(() -> InferRequest.parse(body, "10", MLP, limits), "not valid JSON");
    // Data missing: the size runs past the end.
    byte[] cut = binaryBody(json, floatsLe(1, 2));
    assertInvalid(
        () ->
            InferRequest.parse(
                cut, Integer.toString(json.length()), MLP, DecodeLimits.forBody(cut.length, false)),
        "runs past the end");
    // Trailing bytes no input claims.
    byte[] extra = binaryBody(json, floatsLe(1, 2, 3, 4));
    assertInvalid(
        () ->
            InferRequest.parse(
                extra,
                Integer.toString(json.length()),
                MLP,
                DecodeLimits.forBody(extra.length, false)),
        "belong to no input");
    // A size that disagrees with the shape.
    String lying = json.replace("12}", "8}");
    byte[] wrong = binaryBody(lying, floatsLe(1, 2));
    assertInvalid(
        () ->
            InferRequest.parse(
                wrong,
                Integer.toString(lying.length()),
                MLP,
                DecodeLimits.forBody(wrong.length, false)),
        "binary_data_size is 8",
        "need 12");
    // Non-finite floats are refused unless the model accepts them.
    byte[] nan = binaryBody(json, floatsLe(1, Float.NaN, 3));
    assertInvalid(
        () ->
            InferRequest.parse(
                nan, Integer.toString(json.length()), MLP, DecodeLimits.forBody(nan.length, false)),
        "NaN");
  }

  @Test
  void response_selectsOutputs_andPutsBinaryOnesAfterTheJson() throws Exception {
    InferRequest request =
        parse(
            "{\"id\": \"q\", \"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\":"
                + " \"FP32\", \"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"ids\"},"
                + " {\"name\": \"output\", \"parameters\": {\"binary_data\": true}}]}",
            MLP);
    Map<String, Tensor> outputs =
        Map.of(
            "output", Tensor.ofFloats(new long[] {1, 2}, new float[] {0.25f, Float.NaN}),
            "ids", Tensor.ofLongs(new long[] {1}, new long[] {42}));
    InferResponse r = InferResponse.render("mlp", "3", "q", outputs, request);
    assertThat(r.hasBinary()).isTrue();
    var json = JsonTrees.parse(r.body(), 0, r.jsonLength());
    assertThat(json.get("id").asText()).isEqualTo("q");
    assertThat(json.get("model_version").asText()).isEqualTo("3");
    assertThat(json.at("/outputs/0/name").asText()).isEqualTo("ids");
    assertThat(json.at("/outputs/0/datatype").asText()).isEqualTo("INT64");
    assertThat(json.at("/outputs/0/data/0").asLong()).isEqualTo(42);
    assertThat(json.at("/outputs/1/parameters/binary_data_size").asInt()).isEqualTo(8);
    ByteBuffer data =
        ByteBuffer.wrap(r.body(), r.jsonLength(), 8).slice().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(data.getFloat()).isEqualTo(0.25f);
    assertThat(data.getFloat()).isNaN();

    InferResponse plain =
        InferResponse.render(
            "mlp",
            "3",
            "q",
            Map.of("output", Tensor.ofFloats(new long[] {1, 2}, new float[] {1, 2})),
            parse(
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                    + " \"data\": [1, 2, 3]}]}",
                MLP));
    assertThat(plain.hasBinary()).isFalse();
  }
}
