package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.TestOnnx;
import dev.kiln.agent.http.Npy;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.TensorData;
import dev.kiln.profile.Arch;
import dev.kiln.profile.HostCpu;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One agent process for the class; tests build on each other's deployments, in order. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentServingIT {
  private static AgentProcess agent;
  private static Path artifacts;
  private static KeyPair key;
  private static TestArtifacts.Reference mlp;

  @BeforeAll
  static void start() throws Exception {
    Path work = AgentProcess.tmp("serving");
    artifacts = work.resolve("artifacts");
    key = Ed25519Keys.generate();
    mlp = TestArtifacts.reference("mlp");
    agent =
        new AgentProcess(
            work,
            c -> {
              c.putObject("models").put("defaultModel", "mlp").put("memoryBudgetMb", 256);
              c.putObject("batching").put("maxBatchSize", 8).put("maxQueueDelayMs", 2);
            });
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  private static Path build(TestArtifacts.Spec spec) throws Exception {
    return TestArtifacts.build(spec, key, artifacts);
  }

  private static float[] floats(JsonNode nested) {
    List<Float> out = new ArrayList<>();
    flatten(nested, out);
    float[] values = new float[out.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = out.get(i);
    }
    return values;
  }

  private static void flatten(JsonNode node, List<Float> out) {
    if (node.isArray()) {
      node.forEach(n -> flatten(n, out));
    } else {
      out.add(node.floatValue());
    }
  }

  private static List<List<Float>> rows(float[] flat, int cols) {
    List<List<Float>> rows = new ArrayList<>();
    for (int r = 0; r < flat.length / cols; r++) {
      List<Float> row = new ArrayList<>();
      for (int c = 0; c < cols; c++) {
        row.add(flat[r * cols + c]);
      }
      rows.add(row);
    }
    return rows;
  }

  private static void assertMatchesReference(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    float[] got = floats(AgentProcess.json(r).get("outputs").get("output"));
    float[] want = mlp.output();
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.length; i++) {
      assertThat(got[i]).isCloseTo(want[i], within(1e-4f));
    }
  }

  @Test
  @Order(1)
  void ping_is503_beforeAnyModelIsInstalled() throws Exception {
    HttpResponse<String> r = agent.get("/ping");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(AgentProcess.json(r).get("status").asText()).isEqualTo("unhealthy");
  }

  @Test
  @Order(2)
  void install_activatesHealthyVersion_andPingTurns200() throws Exception {
    HttpResponse<String> r = agent.install(build(TestArtifacts.spec()), "replace", 1);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode model = AgentProcess.json(agent.get("/models/mlp"));
    assertThat(model.at("/versions/1/state").asText()).isEqualTo("ACTIVE");
    assertThat(model.at("/production/0/version").asText()).isEqualTo("1");
    assertThat(agent.get("/ping").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void invocations_withJsonInputs_matchReferenceOutputs() throws Exception {
    HttpResponse<String> r =
        agent.postJson("/invocations", Map.of("inputs", Map.of("input", rows(mlp.input(), 8))));
    assertMatchesReference(r);
    JsonNode body = AgentProcess.json(r);
    assertThat(body.get("model").asText()).isEqualTo("mlp");
    assertThat(body.get("version").asText()).isEqualTo("1");
    assertThat(body.get("requestId").asText())
        .isEqualTo(r.headers().firstValue("X-Kiln-Request-Id").orElseThrow());
  }

  @Test
  @Order(3)
  void invocations_withInstancesCsvAndNpy_matchReferenceOutputs() throws Exception {
    assertMatchesReference(
        agent.postJson("/models/mlp/invocations", Map.of("instances", rows(mlp.input(), 8))));
    StringBuilder csv = new StringBuilder("a,b,c,d,e,f,g,h\n");
    for (List<Float> row : rows(mlp.input(), 8)) {
      csv.append(String.join(",", row.stream().map(String::valueOf).toList())).append('\n');
    }
    assertMatchesReference(
        agent.send(
            "POST",
            "/invocations",
            csv.toString().getBytes(StandardCharsets.UTF_8),
            "text/csv",
            Map.of()));
    byte[] npy = Npy.write(Tensor.ofFloats(new long[] {2, 8}, mlp.input()));
    assertMatchesReference(agent.send("POST", "/invocations", npy, "application/x-npy", Map.of()));
  }

  /**
   * Bodies of 64 KiB and more are read into buffers kept from earlier requests, often longer than
   * the body: each must be answered for its own bytes, never for a longer body read before it.
   */
  @Test
  @Order(3)
  void largeBodiesReadIntoKeptBuffers_areEachAnsweredForTheirOwnBytes() throws Exception {
    for (int pad : new int[] {150_000, 90_000, 140_000, 100}) {
      Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("pad", "x".repeat(pad));
      body.put("inputs", Map.of("input", rows(mlp.input(), 8)));
      assertMatchesReference(agent.postJson("/invocations", body));
    }
    for (int copies : new int[] {2000, 1250, 1900}) {
      float[] tiled = new float[copies * mlp.input().length];
      for (int c = 0; c < copies; c++) {
        System.arraycopy(mlp.input(), 0, tiled, c * mlp.input().length, mlp.input().length);
      }
      byte[] npy = Npy.write(Tensor.ofFloats(new long[] {2L * copies, 8}, tiled));
      HttpResponse<String> r =
          agent.send("POST", "/invocations", npy, "application/x-npy", Map.of());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      float[] got = floats(AgentProcess.json(r).get("outputs").get("output"));
      float[] want = mlp.output();
      assertThat(got).hasSize(copies * want.length);
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).isCloseTo(want[i % want.length], within(1e-4f));
      }
    }
  }

  @Test
  @Order(3)
  void invocations_withWrongShape_is400NamingInputAndExpectedShape() throws Exception {
    HttpResponse<String> r =
        agent.postJson(
            "/invocations", Map.of("inputs", Map.of("input", List.of(List.of(1, 2, 3)))));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = AgentProcess.json(r);
    assertThat(body.get("code").asText()).isEqualTo("INVALID_INPUT");
    assertThat(body.get("message").asText()).contains("'input'", "float32", "[-1, 8]");
  }

  @Test
  @Order(3)
  void invocations_withTooLargeBody_is413_andUnknownModel_is404() throws Exception {
    byte[] huge = new byte[7 * 1024 * 1024];
    assertThat(agent.send("POST", "/invocations", huge, "application/json", Map.of()).statusCode())
        .isEqualTo(413);
    assertThat(
            agent.postJson("/models/nope/invocations", Map.of("instances", List.of())).statusCode())
        .isEqualTo(404);
    HttpResponse<String> wrongMethod = agent.get("/invocations");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(AgentProcess.json(wrongMethod).get("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
  }

  @Test
  @Order(4)
  void torchscriptModel_servesReferenceOutputs() throws Exception {
    HttpResponse<String> r =
        agent.install(
            build(TestArtifacts.spec().name("mlp-pt").format("torchscript")), "replace", 1);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertMatchesReference(
        agent.postJson(
            "/models/mlp-pt/invocations", Map.of("inputs", Map.of("input", rows(mlp.input(), 8)))));
  }

  @Test
  @Order(4)
  void concurrentSingleRowRequests_areBatched_andEachGetsItsOwnOutputs() throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int row = i % 2;
        results.add(
            pool.submit(
                () -> {
                  List<List<Float>> one = List.of(rows(mlp.input(), 8).get(row));
                  HttpResponse<String> r = agent.postJson("/invocations", Map.of("instances", one));
                  float[] got = floats(AgentProcess.json(r).get("outputs").get("output"));
                  for (int c = 0; c < 3; c++) {
                    if (Math.abs(got[c] - mlp.output()[row * 3 + c]) > 1e-4) {
                      return false;
                    }
                  }
                  return got.length == 3;
                }));
      }
      for (var f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Order(4)
  void cnnModel_with4dNpyInput_matchesReference() throws Exception {
    TestArtifacts.Reference cnn = TestArtifacts.reference("cnn");
    assertThat(
            agent
                .install(build(TestArtifacts.spec().name("cnn").sample("cnn")), "replace", 1)
                .statusCode())
        .isEqualTo(201);
    byte[] npy = Npy.write(Tensor.ofFloats(new long[] {2, 3, 32, 32}, cnn.input()));
    HttpResponse<String> r =
        agent.send("POST", "/models/cnn/invocations", npy, "application/x-npy", Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    float[] got = floats(AgentProcess.json(r).get("outputs").get("output"));
    assertThat(got).hasSize(20);
    for (int i = 0; i < 20; i++) {
      assertThat(got[i]).isCloseTo(cnn.output()[i], within(1e-4f));
    }
  }

  @Test
  @Order(5)
  void fullRangeInt8Version_saysWhyItDriftsOnThisCpu_exactlyWhenThisCpuSaturates()
      throws Exception {
    // The payload is the fp32 MLP; only the manifest claims full-range int8 weights, which is all
    // the agent reads to decide.
    Manifest.Quantization fullRange =
        new Manifest.Quantization(
            "int8",
            "int8 dynamic, U8S8",
            "uint8",
            "int8 per-channel",
            "dynamic",
            null,
            "VNNI profile",
            null,
            4,
            "onnxruntime-cpu",
            null,
            List.of(),
            List.of());
    boolean saturates = HostCpu.saturatesFullRangeInt8(Arch.host(), HostCpu.features());

    HttpResponse<String> healthy =
        agent.install(
            build(TestArtifacts.spec().name("int8mlp").version("1").quantization(fullRange)),
            "replace",
            1);
    HttpResponse<String> drifted =
        agent.install(
            build(
                TestArtifacts.spec()
                    .name("int8mlp")
                    .version("2")
                    .quantization(fullRange)
                    .wrongExpectedOutputs()),
            "replace",
            1);

    assertThat(healthy.statusCode()).as(healthy.body()).isEqualTo(201);
    assertThat(drifted.statusCode()).isEqualTo(422);
    JsonNode model = AgentProcess.json(agent.get("/models/int8mlp"));
    String servingDetail = model.at("/versions/1/detail").asText();
    String refusal = AgentProcess.json(drifted).get("message").asText();
    assertThat(model.at("/versions/1/state").asText()).isEqualTo("ACTIVE");
    assertThat(servingDetail).contains("sample outputs match");
    if (saturates) {
      assertThat(servingDetail).contains("full 8-bit range").contains("without VNNI");
      assertThat(refusal).contains("sample expects").contains("full 8-bit range");
    } else {
      assertThat(servingDetail).doesNotContain("8-bit range");
      assertThat(refusal).contains("sample expects").doesNotContain("8-bit range");
    }
  }

  @Test
  @Order(5)
  void artifactsWithoutToleranceScale_areStillJudgedByTheAbsoluteRule() throws Exception {
    HttpResponse<String> legacy =
        agent.install(build(TestArtifacts.spec().name("legacy").absoluteTolerance()), "replace", 1);
    assertThat(legacy.statusCode()).as(legacy.body()).isEqualTo(201);
    String legacyDetail =
        AgentProcess.json(agent.get("/models/legacy")).at("/versions/1/detail").asText();
    assertThat(legacyDetail).contains("sample outputs match within").doesNotContain("largest");
    String currentDetail =
        AgentProcess.json(agent.get("/models/mlp")).at("/versions/1/detail").asText();
    assertThat(currentDetail).contains("of each output's largest value");
    assertThat(agent.send("DELETE", "/models/legacy", null, null, Map.of()).statusCode())
        .isEqualTo(200);
  }

  @Test
  @Order(5)
  void badNewVersion_isRejected_andOldVersionKeepsServing() throws Exception {
    HttpResponse<String> wrong =
        agent.install(
            build(TestArtifacts.spec().version("9").wrongExpectedOutputs()), "replace", 1);
    assertThat(wrong.statusCode()).isEqualTo(422);
    assertThat(AgentProcess.json(wrong).get("code").asText()).isEqualTo("HEALTH_CHECK_FAILED");

    HttpResponse<String> corrupt =
        agent.install(
            build(
                TestArtifacts.spec()
                    .version("10")
                    .payload("not an onnx model".getBytes(StandardCharsets.UTF_8))),
            "replace",
            1);
    assertThat(corrupt.statusCode()).isEqualTo(422);

    HttpResponse<String> unsigned =
        agent.install(build(TestArtifacts.spec().version("11").unsigned()), "replace", 1);
    assertThat(AgentProcess.json(unsigned).get("code").asText()).isEqualTo("ARTIFACT_REJECTED");

    HttpResponse<String> arm =
        agent.install(
            build(TestArtifacts.spec().version("12").target("linux-arm64", "arm64")), "replace", 1);
    assertThat(AgentProcess.json(arm).get("code").asText()).isEqualTo("INCOMPATIBLE_ARTIFACT");
    assertThat(AgentProcess.json(arm).get("message").asText()).contains("arm64");

    JsonNode model = AgentProcess.json(agent.get("/models/mlp"));
    assertThat(model.at("/versions/9/state").asText()).isEqualTo("FAILED");
    assertThat(model.at("/versions/9/detail").asText()).contains("sample expects");
    assertThat(model.at("/versions/10/state").asText()).isEqualTo("FAILED");
    assertThat(model.at("/production/0/version").asText()).isEqualTo("1");
    HttpResponse<String> failedToTraffic =
        agent.putJson(
            "/models/mlp/variants",
            Map.of("variants", List.of(Map.of("version", "9", "weight", 1))));
    assertThat(failedToTraffic.statusCode()).isEqualTo(409);
    assertThat(AgentProcess.json(failedToTraffic).get("message").asText()).contains("FAILED");
    assertMatchesReference(
        agent.postJson("/invocations", Map.of("instances", rows(mlp.input(), 8))));
  }

  @Test
  @Order(6)
  void variants_splitTrafficByWeight_andHeaderOverrides() throws Exception {
    assertThat(agent.install(build(TestArtifacts.spec().version("2")), "variant", 0.2).statusCode())
        .isEqualTo(201);
    HttpResponse<String> put =
        agent.putJson(
            "/models/mlp/variants",
            Map.of(
                "variants",
                List.of(
                    Map.of("version", "1", "weight", 0.8), Map.of("version", "2", "weight", 0.2))));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    int n = 400;
    int v2 = 0;
    byte[] body =
        AgentProcess.json(agent.get("/models/mlp")).isObject()
            ? dev.kiln.artifact.Json.MAPPER.writeValueAsBytes(
                Map.of("instances", rows(mlp.input(), 8)))
            : null;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r =
          agent.send("POST", "/invocations", body, "application/json", Map.of());
      assertThat(r.statusCode()).isEqualTo(200);
      if (AgentProcess.json(r).get("variant").asText().equals("2")) {
        v2++;
      }
    }
    // Binomial(400, 0.2): mean 80, sd 8; 5 sd either side fails a fair split about once in 3.5M.
    assertThat(v2).isBetween(40, 120);
    HttpResponse<String> pinned =
        agent.send("POST", "/invocations", body, "application/json", Map.of("X-Kiln-Variant", "2"));
    assertThat(AgentProcess.json(pinned).get("variant").asText()).isEqualTo("2");
  }

  @Test
  @Order(7)
  void shadow_getsCopyOfTraffic_butIsNeverReturned() throws Exception {
    assertThat(agent.install(build(TestArtifacts.spec().version("3")), "shadow", 0).statusCode())
        .isEqualTo(201);
    byte[] body =
        dev.kiln.artifact.Json.MAPPER.writeValueAsBytes(Map.of("instances", rows(mlp.input(), 8)));
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> r =
          agent.send("POST", "/invocations", body, "application/json", Map.of());
      assertThat(AgentProcess.json(r).get("variant").asText()).isNotEqualTo("3");
      assertThat(AgentProcess.json(r).get("version").asText()).isNotEqualTo("3");
    }
    HttpResponse<String> pinned =
        agent.send("POST", "/invocations", body, "application/json", Map.of("X-Kiln-Variant", "3"));
    assertThat(pinned.statusCode()).isEqualTo(404);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(agent.get("/metrics").body())
                    .containsPattern(
                        "kiln_invocations_total\\{model=\"mlp\",variant=\"3-shadow\"\\} [1-9]"));
  }

  @Test
  @Order(8)
  void metrics_reportInvocationsLatencyLoadTimeAndMemory() throws Exception {
    String metrics = agent.get("/metrics").body();
    assertThat(metrics)
        .contains("kiln_invocation_latency_seconds_bucket{model=\"mlp\",variant=\"1\",le=\"+Inf\"}")
        .contains("kiln_model_load_seconds{model=\"mlp\",version=\"1\"}")
        .contains("kiln_jvm_memory_used_bytes{area=\"heap\"}")
        .contains("process_resident_memory_bytes");
  }

  @Test
  @Order(8)
  void pipeline_feedsMlpOutputsIntoNextModel() throws Exception {
    TestArtifacts.Reference ident =
        new TestArtifacts.Reference(
            Map.of("input", TensorData.ofFloats(List.of(2L, 3L), mlp.output())),
            Map.of("output", TensorData.ofFloats(List.of(2L, 3L), mlp.output())));
    Path kiln =
        build(TestArtifacts.spec().name("ident3").payload(TestOnnx.identity(3)).reference(ident));
    assertThat(agent.install(kiln, "replace", 1).statusCode()).isEqualTo(201);
    HttpResponse<String> put =
        agent.putJson("/pipelines/mlp-then-ident", Map.of("steps", List.of("mlp", "ident3")));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

    HttpResponse<String> r =
        agent.postJson(
            "/models/mlp-then-ident/invocations", Map.of("instances", rows(mlp.input(), 8)));
    assertMatchesReference(r);
    assertThat(AgentProcess.json(r).get("version").asText()).contains("mlp@").contains(">ident3@1");
    assertThat(agent.putJson("/pipelines/too-short", Map.of("steps", List.of("mlp"))).statusCode())
        .isEqualTo(400);
  }

  @Test
  @Order(8)
  void engineError_is500WithRequestId_andAgentKeepsServing() throws Exception {
    TestArtifacts.Reference same =
        new TestArtifacts.Reference(
            Map.of("input", TensorData.ofFloats(List.of(2L, 8L), mlp.input())),
            Map.of("output", TensorData.ofFloats(List.of(2L, 8L), mlp.input())));
    Path kiln =
        build(
            TestArtifacts.spec().name("two-rows").payload(TestOnnx.onlyTwoRows(8)).reference(same));
    assertThat(agent.install(kiln, "replace", 1).statusCode()).isEqualTo(201);

    List<List<Float>> oneRow = List.of(rows(mlp.input(), 8).get(0));
    HttpResponse<String> failed =
        agent.postJson("/models/two-rows/invocations", Map.of("instances", oneRow));
    assertThat(failed.statusCode()).isEqualTo(500);
    JsonNode error = AgentProcess.json(failed);
    assertThat(error.get("code").asText()).isEqualTo("ENGINE_ERROR");
    assertThat(error.get("requestId").asText())
        .isEqualTo(failed.headers().firstValue("X-Kiln-Request-Id").orElseThrow());

    HttpResponse<String> ok =
        agent.postJson("/models/two-rows/invocations", Map.of("instances", rows(mlp.input(), 8)));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(agent.get("/ping").statusCode()).isEqualTo(200);
    assertThat(agent.get("/metrics").body())
        .containsPattern("kiln_invocation_errors_total\\{model=\"two-rows\",variant=\"1\"\\} 1");
  }

  @Test
  @Order(8)
  void hostileArchives_areRefusedWith422_namingTheProblem() throws Exception {
    Path valid = build(TestArtifacts.spec().version("40"));
    Map<String, String> problems = TestArtifacts.HOSTILE_ENTRIES;
    int i = 0;
    for (var problem : problems.entrySet()) {
      Path hostile =
          TestArtifacts.withExtraEntry(
              valid,
              problem.getKey(),
              new byte[TestArtifacts.HOSTILE_ENTRY_BYTES],
              artifacts.resolve("hostile-" + i++ + ".kiln"));
      HttpResponse<String> refused = agent.install(hostile, "replace", 1);
      assertThat(refused.statusCode()).isEqualTo(422);
      assertThat(AgentProcess.json(refused).get("code").asText()).isEqualTo("ARTIFACT_REJECTED");
      assertThat(AgentProcess.json(refused).get("message").asText()).contains(problem.getValue());
    }
    HttpResponse<String> outside =
        agent.install(
            build(TestArtifacts.spec().version("41").payloadFile("/etc/passwd")), "replace", 1);
    assertThat(outside.statusCode()).isEqualTo(422);
    assertThat(AgentProcess.json(outside).get("message").asText())
        .contains("payload.file")
        .contains("leaves the artifact");
    assertThat(AgentProcess.json(agent.get("/models/mlp")).at("/versions/40").isMissingNode())
        .isTrue();
  }

  @Test
  @Order(9)
  void delete_unloadsModel_andInvocationsThen404() throws Exception {
    assertThat(agent.send("DELETE", "/models/mlp-pt", null, null, Map.of()).statusCode())
        .isEqualTo(200);
    JsonNode model = AgentProcess.json(agent.get("/models/mlp-pt"));
    assertThat(model.at("/versions/1/state").asText()).isEqualTo("RETIRED");
    assertThat(model.at("/versions/1/loaded").asBoolean()).isFalse();
    assertThat(
            agent
                .postJson("/models/mlp-pt/invocations", Map.of("instances", rows(mlp.input(), 8)))
                .statusCode())
        .isEqualTo(404);
  }
}
