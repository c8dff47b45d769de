package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.OipClient;
import dev.kiln.agent.OipClient.Input;
import dev.kiln.agent.OipClient.Output;
import dev.kiln.agent.OipClient.Reply;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.TestOnnx;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.TensorData;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Conformance of the agent's Open Inference Protocol (KServe v2) REST endpoints, driven by {@link
 * OipClient}, a client written from the specification: health, server and model metadata,
 * readiness, inference with JSON (flat and nested) and binary tensors, output selection, versions,
 * and errors. One agent process; tests build on each other's installs, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenInferenceProtocolIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static AgentProcess agent;
  private static OipClient oip;
  private static Path artifacts;
  private static KeyPair key;
  private static TestArtifacts.Reference mlp;

  @BeforeAll
  static void start() throws Exception {
    Path work = AgentProcess.tmp("oip");
    artifacts = work.resolve("artifacts");
    key = Ed25519Keys.generate();
    mlp = TestArtifacts.reference("mlp");
    agent =
        new AgentProcess(
            work, c -> c.putObject("models").put("defaultModel", "mlp").put("memoryBudgetMb", 256));
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
    oip = new OipClient(URI.create("http://127.0.0.1:" + agent.port() + "/"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  private static void install(TestArtifacts.Spec spec, String placement, double weight)
      throws Exception {
    HttpResponse<String> r =
        agent.install(TestArtifacts.build(spec, key, artifacts), placement, weight);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private static Input mlpInput(boolean binary) {
    return Input.fp32("input", new long[] {2, 8}, mlp.input(), binary);
  }

  private static void assertMlpOutput(float[] got) {
    float[] want = mlp.output();
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.length; i++) {
      assertThat(got[i]).isCloseTo(want[i], within(1e-4f));
    }
  }

  private static void assertError(Reply r, int status, String... fragments) {
    assertThat(r.status()).as(r.json() == null ? "" : r.json().toString()).isEqualTo(status);
    assertThat(r.error()).as("the protocol's {\"error\": ...}").isNotNull();
    assertThat(r.error()).contains(fragments);
  }

  @Test
  @Order(1)
  void health_isLive_butNotReadyWithoutModels_andServerMetadataNamesTheBinaryExtension()
      throws Exception {
    Reply live = oip.get("/v2/health/live");
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.json().get("live").asBoolean()).isTrue();
    Reply ready = oip.get("/v2/health/ready");
    assertThat(ready.status()).as("4xx means not ready").isBetween(400, 499);
    assertThat(ready.json().get("ready").asBoolean()).isFalse();
    Reply server = oip.get("/v2");
    assertThat(server.status()).isEqualTo(200);
    assertThat(server.json().get("name").asText()).isEqualTo("kiln-agent");
    assertThat(server.json().get("version").asText()).isNotBlank();
    assertThat(server.json().get("extensions"))
        .extracting(JsonNode::asText)
        .contains("binary_tensor_data");
  }

  @Test
  @Order(2)
  void afterInstall_serverAndModelAndVersionAreReady_unknownOnesAre404() throws Exception {
    install(TestArtifacts.spec(), "replace", 1);
    assertThat(oip.get("/v2/health/ready").status()).isEqualTo(200);
    Reply model = oip.get("/v2/models/mlp/ready");
    assertThat(model.status()).isEqualTo(200);
    assertThat(model.json().get("name").asText()).isEqualTo("mlp");
    assertThat(model.json().get("ready").asBoolean()).isTrue();
    assertThat(oip.get("/v2/models/mlp/versions/1/ready").status()).isEqualTo(200);
    assertError(oip.get("/v2/models/mlp/versions/9/ready"), 404, "'9'");
    assertError(oip.get("/v2/models/nope/ready"), 404, "nope");
  }

  @Test
  @Order(3)
  void modelMetadata_listsInputsAndOutputsWithDynamicDimsAsMinusOne() throws Exception {
    for (String path : List.of("/v2/models/mlp", "/v2/models/mlp/versions/1")) {
      Reply r = oip.get(path);
      assertThat(r.status()).as(path).isEqualTo(200);
      JsonNode m = r.json();
      assertThat(m.get("name").asText()).isEqualTo("mlp");
      assertThat(m.get("versions")).extracting(JsonNode::asText).containsExactly("1");
      assertThat(m.get("platform").asText()).isEqualTo("onnxruntime_onnx");
      assertThat(m.at("/inputs/0/name").asText()).isEqualTo("input");
      assertThat(m.at("/inputs/0/datatype").asText()).isEqualTo("FP32");
      assertThat(m.at("/inputs/0/shape").toString()).isEqualTo("[-1,8]");
      assertThat(m.at("/outputs/0/name").asText()).isEqualTo("output");
      assertThat(m.at("/outputs/0/shape").toString()).isEqualTo("[-1,3]");
    }
    assertError(oip.get("/v2/models/mlp/versions/7"), 404, "'7'", "[1]");
    assertError(oip.get("/v2/models/nope"), 404, "nope");
  }

  @Test
  @Order(4)
  void infer_withFlatAndNestedJsonData_matchesReference_andEchoesId() throws Exception {
    Reply flat = oip.infer("mlp", null, "req-flat", List.of(mlpInput(false)), null, null);
    assertThat(flat.status()).as(String.valueOf(flat.json())).isEqualTo(200);
    assertThat(flat.json().get("id").asText()).isEqualTo("req-flat");
    assertThat(flat.json().get("model_name").asText()).isEqualTo("mlp");
    assertThat(flat.json().get("model_version").asText()).isEqualTo("1");
    assertThat(flat.json().at("/outputs/0/datatype").asText()).isEqualTo("FP32");
    assertThat(flat.outputs().get("output").shape()).containsExactly(2, 3);
    assertMlpOutput(flat.outputs().get("output").floats());

    float[] in = mlp.input();
    var nested = JSON.createArrayNode();
    for (int r = 0; r < 2; r++) {
      var row = nested.addArray();
      for (int c = 0; c < 8; c++) {
        row.add(in[r * 8 + c]);
      }
    }
    Reply n =
        oip.infer(
            "mlp",
            null,
            null,
            List.of(new Input("input", "FP32", new long[] {2, 8}, nested, false)),
            null,
            null);
    assertThat(n.status()).as(String.valueOf(n.json())).isEqualTo(200);
    assertThat(n.json().get("id").asText())
        .as("no id given: the agent's request id")
        .isEqualTo(n.raw().headers().firstValue("X-Kiln-Request-Id").orElseThrow());
    assertMlpOutput(n.outputs().get("output").floats());
  }

  @Test
  @Order(5)
  void infer_withBinaryInputAndBinaryOutput_matchesReference() throws Exception {
    Reply r =
        oip.infer(
            "mlp", "1", "bin", List.of(mlpInput(true)), List.of(new Output("output", true)), null);
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
    assertThat(r.raw().headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/octet-stream");
    assertThat(r.raw().headers().firstValue(OipClient.HEADER_LENGTH)).isPresent();
    assertThat(r.json().at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(2 * 3 * 4);
    assertThat(r.json().at("/outputs/0/data").isMissingNode()).isTrue();
    assertMlpOutput(r.outputs().get("output").floats());

    // Request-level binary_data_output, with JSON input; and binary input with a JSON output.
    Reply all = oip.infer("mlp", null, null, List.of(mlpInput(false)), null, true);
    assertThat(all.json().at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(24);
    assertMlpOutput(all.outputs().get("output").floats());
    Reply mixed = oip.infer("mlp", null, null, List.of(mlpInput(true)), null, null);
    assertThat(mixed.raw().headers().firstValue(OipClient.HEADER_LENGTH)).isEmpty();
    assertMlpOutput(mixed.outputs().get("output").floats());
  }

  @Test
  @Order(6)
  void outputsSelection_returnsOnlyTheNamedOutputs_inTheirDatatypes() throws Exception {
    float[] values = {1.9f, -2.2f, 3f, 40.5f};
    TestArtifacts.Reference two =
        new TestArtifacts.Reference(
            Map.of("input", TensorData.ofFloats(List.of(2L, 2L), values)),
            outputsInModelOrder(
                TensorData.ofFloats(List.of(2L, 2L), values),
                TensorData.ofLongs(List.of(2L, 2L), new long[] {1, -2, 3, 40})));
    install(
        TestArtifacts.spec().name("multi").payload(TestOnnx.floatAndInt64Outputs(2)).reference(two),
        "replace",
        1);
    JsonNode meta = oip.get("/v2/models/multi").json();
    assertThat(meta.at("/outputs"))
        .extracting(o -> o.get("name").asText() + ":" + o.get("datatype").asText())
        .containsExactlyInAnyOrder("output:FP32", "ids:INT64");

    Input in = Input.fp32("input", new long[] {2, 2}, values, false);
    Reply onlyIds =
        oip.infer("multi", null, null, List.of(in), List.of(new Output("ids", null)), null);
    assertThat(onlyIds.status()).as(String.valueOf(onlyIds.json())).isEqualTo(200);
    assertThat(onlyIds.outputs().keySet()).containsExactly("ids");
    assertThat(onlyIds.json().at("/outputs/0/datatype").asText()).isEqualTo("INT64");
    assertThat(onlyIds.outputs().get("ids").longs()).containsExactly(1, -2, 3, 40);

    Reply both =
        oip.infer(
            "multi",
            null,
            null,
            List.of(in),
            List.of(new Output("output", true), new Output("ids", false)),
            null);
    assertThat(both.outputs().keySet()).containsExactly("output", "ids");
    assertThat(both.outputs().get("output").floats()).containsExactly(values);
    assertThat(both.json().at("/outputs/1/data")).hasSize(4);

    Reply all = oip.infer("multi", null, null, List.of(in), null, null);
    assertThat(all.outputs().keySet()).containsExactlyInAnyOrder("output", "ids");
  }

  @Test
  @Order(7)
  void int64Inputs_roundTripAsJsonAndBinary() throws Exception {
    long[] ids = {5, -7, 9_007_199_254_740_993L, 0};
    TestArtifacts.Reference ref =
        new TestArtifacts.Reference(
            Map.of("input", TensorData.ofLongs(List.of(2L, 2L), ids)),
            Map.of("output", TensorData.ofLongs(List.of(2L, 2L), ids)));
    install(
        TestArtifacts.spec().name("ids").payload(TestOnnx.identityInt64(2)).reference(ref),
        "replace",
        1);
    assertThat(oip.get("/v2/models/ids").json().at("/inputs/0/datatype").asText())
        .isEqualTo("INT64");
    for (boolean binary : new boolean[] {false, true}) {
      Reply r =
          oip.infer(
              "ids",
              null,
              null,
              List.of(Input.int64("input", new long[] {2, 2}, ids, binary)),
              List.of(new Output("output", binary)),
              null);
      assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
      assertThat(r.outputs().get("output").longs()).containsExactly(ids);
    }
    Reply fp32 =
        oip.infer(
            "ids",
            null,
            null,
            List.of(Input.fp32("input", new long[] {2, 2}, new float[4], false)),
            null,
            null);
    assertError(fp32, 400, "'input'", "FP32", "INT64");
  }

  @Test
  @Order(8)
  void badRequests_are4xxWithTheProtocolsErrorObject_namingTheProblem() throws Exception {
    ObjectMapper m = JSON;
    var bytes =
        m.readTree(
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 8], \"datatype\": \"BYTES\","
                + " \"data\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]}]}");
    assertError(raw("mlp", bytes.toString(), null), 400, "BYTES", "FP32");
    assertError(
        oip.infer(
            "mlp",
            null,
            null,
            List.of(Input.fp32("input", new long[] {1, 7}, new float[7], false)),
            null,
            null),
        400,
        "'input'",
        "[1, 7]");
    assertError(
        oip.infer(
            "mlp",
            null,
            null,
            List.of(Input.fp32("input", new long[] {2, 8}, new float[15], false)),
            null,
            null),
        400,
        "16 values",
        "holds 15");
    assertError(
        oip.infer(
            "mlp", null, null, List.of(mlpInput(false)), List.of(new Output("nope", null)), null),
        400,
        "no output 'nope'");
    assertError(raw("mlp", "{\"inputs\": [", null), 400, "not valid JSON");
    OipClient.Body body = OipClient.body(null, List.of(mlpInput(true)), null, null);
    assertError(
        oip.inferRaw(
            "mlp", null, new OipClient.Body(body.bytes(), body.bytes().length + 10), Map.of()),
        400,
        "Inference-Header-Content-Length");
    assertError(
        oip.inferRaw("mlp", null, body, Map.of(OipClient.HEADER_LENGTH, "999999999999")),
        400,
        "does not fit");
    assertError(oip.infer("nope", null, null, List.of(mlpInput(false)), null, null), 404, "nope");
    assertError(oip.infer("mlp", "8", null, List.of(mlpInput(false)), null, null), 404, "'8'");
    // Not open endpoints (a GET on infer, paths the agent lacks): with the token they are 405/404.
    HttpResponse<String> get = agent.get("/v2/models/mlp/infer");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(AgentProcess.json(get).get("error").asText()).contains("POST");
    HttpResponse<String> missing = agent.get("/v2/repository/index");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(AgentProcess.json(missing).get("error").asText()).contains("no such endpoint");
    assertThat(agent.get("/v2/health/live").statusCode()).isEqualTo(200);
  }

  private static Reply raw(String model, String json, String headerLength) throws Exception {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return oip.inferRaw(
        model,
        null,
        new OipClient.Body(b, b.length),
        headerLength == null ? Map.of() : Map.of(OipClient.HEADER_LENGTH, headerLength));
  }

  @Test
  @Order(9)
  void versionsMapToKilnVersions_andUnversionedPathsFollowVariantsAndMetrics() throws Exception {
    install(TestArtifacts.spec().version("2"), "variant", 0);
    // Version 2 takes no weighted traffic, but its path serves it, and X-Kiln-Variant pins it.
    Reply v2 = oip.infer("mlp", "2", null, List.of(mlpInput(false)), null, null);
    assertThat(v2.status()).as(String.valueOf(v2.json())).isEqualTo(200);
    assertThat(v2.json().get("model_version").asText()).isEqualTo("2");
    assertMlpOutput(v2.outputs().get("output").floats());
    for (int i = 0; i < 5; i++) {
      assertThat(
              oip.infer("mlp", null, null, List.of(mlpInput(false)), null, null)
                  .json()
                  .get("model_version")
                  .asText())
          .isEqualTo("1");
    }
    OipClient.Body body = OipClient.body(null, List.of(mlpInput(false)), null, null);
    Reply pinned = oip.inferRaw("mlp", null, body, Map.of("X-Kiln-Variant", "2"));
    assertThat(pinned.json().get("model_version").asText()).isEqualTo("2");
    assertThat(pinned.raw().headers().firstValue("X-Amzn-Invoked-Production-Variant"))
        .contains("2");
    assertThat(oip.get("/v2/models/mlp").json().get("versions"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("1", "2");
    assertThat(agent.get("/metrics").body())
        .containsPattern("kiln_invocations_total\\{model=\"mlp\",variant=\"2\"\\} [1-9]");
  }

  @Test
  @Order(10)
  void protocolEndpoints_needNoToken_butManagementStillDoes() throws Exception {
    assertThat(agent.sendAs(null, "GET", "/v2/models/mlp", null, null, Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(agent.sendAs(null, "GET", "/models/mlp", null, null, Map.of()).statusCode())
        .isEqualTo(401);
  }

  /**
   * The artifact's signature lists outputs in this map's order, and the agent names the engine's
   * outputs by that order, so it must be the model's: Map.of's order changes from run to run.
   */
  private static Map<String, TensorData> outputsInModelOrder(TensorData output, TensorData ids) {
    Map<String, TensorData> outputs = new java.util.LinkedHashMap<>();
    outputs.put("output", output);
    outputs.put("ids", ids);
    return outputs;
  }
}
