package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SageMaker runtime's request headers on {@code /invocations}, against a real agent serving
 * {@code mlp} (version 1 with all the weight, version 2 with none) and a second model {@code
 * other}.
 */
class SageMakerHeadersIT {
  private static final byte[] BODY =
      "{\"instances\": [[1, 2, 3, 4, 5, 6, 7, 8]]}".getBytes(StandardCharsets.UTF_8);
  private static AgentProcess agent;

  @BeforeAll
  static void start() throws Exception {
    Path work = AgentProcess.tmp("sagemaker");
    KeyPair key = Ed25519Keys.generate();
    agent =
        new AgentProcess(
            work, c -> c.putObject("models").put("defaultModel", "mlp").put("memoryBudgetMb", 256));
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
    Path artifacts = work.resolve("artifacts");
    for (Object[] install :
        new Object[][] {
          {TestArtifacts.spec(), "replace", 1.0},
          {TestArtifacts.spec().version("2"), "variant", 0.0},
          {TestArtifacts.spec().name("other"), "replace", 1.0}
        }) {
      HttpResponse<String> r =
          agent.install(
              TestArtifacts.build((TestArtifacts.Spec) install[0], key, artifacts),
              (String) install[1],
              (Double) install[2]);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  private static HttpResponse<String> invoke(String path, Map<String, String> headers)
      throws Exception {
    return agent.sendAs(null, "POST", path, BODY, "application/json", headers);
  }

  private static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return AgentProcess.json(r);
  }

  @Test
  void targetVariant_pinsAProductionVariant_andTheReplyNamesTheVariantServed() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r =
          invoke("/invocations", Map.of("X-Amzn-SageMaker-Target-Variant", "2"));
      assertThat(ok(r).get("version").asText()).isEqualTo("2");
      assertThat(r.headers().firstValue("X-Amzn-Invoked-Production-Variant")).contains("2");
    }
    HttpResponse<String> weighted = invoke("/invocations", Map.of());
    assertThat(ok(weighted).get("version").asText()).isEqualTo("1");
    assertThat(weighted.headers().firstValue("X-Amzn-Invoked-Production-Variant")).contains("1");
  }

  @Test
  void unknownTargetVariant_is400ListingTheVariants_andDisagreeingHeadersAre400() throws Exception {
    HttpResponse<String> r = invoke("/invocations", Map.of("X-Amzn-SageMaker-Target-Variant", "7"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(AgentProcess.json(r).get("message").asText()).contains("'7'", "[1, 2]");
    HttpResponse<String> both =
        invoke(
            "/invocations", Map.of("X-Amzn-SageMaker-Target-Variant", "2", "X-Kiln-Variant", "1"));
    assertThat(both.statusCode()).isEqualTo(400);
    assertThat(both.body()).contains("disagree");
  }

  @Test
  void targetModel_picksTheModelBehindTheEndpoint_withOrWithoutTarGz() throws Exception {
    for (String value : new String[] {"other", "other.tar.gz"}) {
      JsonNode body = ok(invoke("/invocations", Map.of("X-Amzn-SageMaker-Target-Model", value)));
      assertThat(body.get("model").asText()).as(value).isEqualTo("other");
    }
    assertThat(ok(invoke("/invocations", Map.of())).get("model").asText()).isEqualTo("mlp");
    HttpResponse<String> unknown =
        invoke("/invocations", Map.of("X-Amzn-SageMaker-Target-Model", "nope.tar.gz"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("'nope'");
    HttpResponse<String> conflict =
        invoke("/models/mlp/invocations", Map.of("X-Amzn-SageMaker-Target-Model", "other"));
    assertThat(conflict.statusCode()).isEqualTo(400);
    assertThat(conflict.body()).contains("'other'", "'mlp'");
    assertThat(
            ok(invoke("/models/mlp/invocations", Map.of("X-Amzn-SageMaker-Target-Model", "mlp")))
                .get("model")
                .asText())
        .isEqualTo("mlp");
  }

  @Test
  void customAttributes_areAcceptedUpTo1024VisibleAscii_andNotEchoed() throws Exception {
    HttpResponse<String> r =
        invoke("/invocations", Map.of("X-Amzn-SageMaker-Custom-Attributes", "trace=abc-1"));
    ok(r);
    assertThat(r.headers().firstValue("X-Amzn-SageMaker-Custom-Attributes"))
        .as("SageMaker returns them only when model code sets them")
        .isEmpty();
    assertThat(
            invoke("/invocations", Map.of("X-Amzn-SageMaker-Custom-Attributes", "a".repeat(1024)))
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> tooLong =
        invoke("/invocations", Map.of("X-Amzn-SageMaker-Custom-Attributes", "a".repeat(1025)));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body()).contains("X-Amzn-SageMaker-Custom-Attributes", "1024");
  }
}
