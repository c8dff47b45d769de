package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 1 MiB budget with memoryFactor 500: one mlp (1267 payload bytes, ~620 KiB estimated) fits, two
 * do not, so serving two models alternately unloads and reloads them.
 */
class LruIT {
  private static AgentProcess agent;
  private static KeyPair key;
  private static Path work;

  @BeforeAll
  static void start() throws Exception {
    work = AgentProcess.tmp("lru");
    key = Ed25519Keys.generate();
    agent =
        new AgentProcess(
            work, c -> c.putObject("models").put("memoryBudgetMb", 1).put("memoryFactor", 500));
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
  }

  private static boolean loaded(String model) throws Exception {
    return AgentProcess.json(agent.get("/models/" + model)).at("/versions/1/loaded").asBoolean();
  }

  private static void assertServes(String model) throws Exception {
    TestArtifacts.Reference ref = TestArtifacts.reference("mlp");
    float[] in = ref.input();
    List<List<Float>> rows = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      List<Float> row = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        row.add(in[r * 8 + c]);
      }
      rows.add(row);
    }
    var resp = agent.postJson("/models/" + model + "/invocations", Map.of("instances", rows));
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    JsonNode out = AgentProcess.json(resp).at("/outputs/output/0/0");
    assertThat(out.floatValue())
        .isCloseTo(ref.output()[0], org.assertj.core.api.Assertions.within(1e-4f));
  }

  @Test
  void secondModel_evictsFirst_andFirstReloadsOnDemand() throws Exception {
    for (String name : List.of("a", "b")) {
      Path kiln =
          TestArtifacts.build(TestArtifacts.spec().name(name), key, work.resolve("artifacts"));
      assertThat(agent.install(kiln, "replace", 1).statusCode()).isEqualTo(201);
    }
    assertThat(loaded("b")).isTrue();
    assertThat(loaded("a")).isFalse();

    assertServes("a");
    assertThat(loaded("a")).isTrue();
    assertThat(loaded("b")).isFalse();
    assertServes("b");

    String metrics = agent.get("/metrics").body();
    assertThat(metrics).containsPattern("kiln_model_evictions_total [3-9]");
    assertThat(metrics).contains("kiln_models_loaded 1");
    assertThat(AgentProcess.json(agent.get("/models")).get("memoryUsedBytes").asLong())
        .isLessThanOrEqualTo(1024 * 1024);
  }

  @Test
  void modelLargerThanBudget_isRefused() throws Exception {
    Path cnn =
        TestArtifacts.build(
            TestArtifacts.spec().name("cnn").sample("cnn"), key, work.resolve("artifacts"));
    var resp = agent.install(cnn, "replace", 1);
    assertThat(resp.statusCode()).isEqualTo(422);
    assertThat(AgentProcess.json(resp).get("message").asText()).contains("memoryBudgetMb");
  }
}
