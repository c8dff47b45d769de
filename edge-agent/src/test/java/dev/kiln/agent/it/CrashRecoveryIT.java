package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * kill -9 while a new version is being activated, at three points (just after the request, while
 * the state says LOADING, after the reply); every restart must serve exactly one valid version.
 */
class CrashRecoveryIT {

  @Test
  void killDuringActivation_thenRestart_servesAValidVersion() throws Exception {
    Path work = AgentProcess.tmp("crash");
    KeyPair key = Ed25519Keys.generate();
    Path stateFile = work.resolve("state/models/mlp/state.json");
    TestArtifacts.Reference ref = TestArtifacts.reference("mlp");
    AgentProcess agent =
        new AgentProcess(work, c -> c.putObject("models").put("defaultModel", "mlp"));
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
    try {
      Path v1 = TestArtifacts.build(TestArtifacts.spec(), key, work.resolve("artifacts"));
      assertThat(agent.install(v1, "replace", 1).statusCode()).isEqualTo(201);
      HttpClient client = HttpClient.newHttpClient();
      for (int round = 0; round < 3; round++) {
        String version = Integer.toString(round + 2);
        Path next =
            TestArtifacts.build(
                TestArtifacts.spec().version(version), key, work.resolve("artifacts"));
        int port =
            Integer.parseInt(
                Json.MAPPER
                    .readTree(work.resolve("agent.json").toFile())
                    .at("/http/port")
                    .asText());
        var reply =
            client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/models"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            Json.MAPPER.writeValueAsString(
                                Map.of("artifact", agent.toImportDir(next).toString()))))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + agent.token())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (round == 1) {
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(2))
              .until(
                  () ->
                      Files.exists(stateFile)
                          && Files.readString(stateFile).contains("\"" + version + "\""));
        } else if (round == 2) {
          reply.get();
        }
        agent.kill9();
        agent.start();

        JsonNode model = AgentProcess.json(agent.get("/models/mlp"));
        assertThat(model.get("production")).as(model.toString()).hasSize(1);
        String active = model.at("/production/0/version").asText();
        assertThat(model.at("/versions/" + active + "/state").asText()).isEqualTo("ACTIVE");
        for (Iterator<Map.Entry<String, JsonNode>> it = model.get("versions").fields();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          assertThat(e.getValue().get("state").asText())
              .as("version " + e.getKey())
              .isNotEqualTo("LOADING");
        }
        assertThat(agent.get("/ping").statusCode()).isEqualTo(200);
        var resp =
            agent.postJson(
                "/invocations",
                Map.of(
                    "inputs",
                    Map.of(
                        "input",
                        java.util.List.of(floats(ref.input(), 0), floats(ref.input(), 8)))));
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(AgentProcess.json(resp).at("/outputs/output/1/2").floatValue())
            .isCloseTo(ref.output()[5], org.assertj.core.api.Assertions.within(1e-4f));
      }
    } finally {
      agent.close();
    }
  }

  private static java.util.List<Float> floats(float[] values, int from) {
    java.util.List<Float> row = new java.util.ArrayList<>();
    for (int i = from; i < from + 8; i++) {
      row.add(values[i]);
    }
    return row;
  }
}
