package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.Agent;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.agent.http.access.TokenFile;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.artifact.Ed25519Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The capture hook, with the agent in process so the test can be the sink. */
class ServedTrafficSinkIT {

  @Test
  void productionAndShadowInferences_reachTheSink_shadowMarkedAndNeverReturned() throws Exception {
    Path work = AgentProcess.tmp("capture");
    KeyPair key = Ed25519Keys.generate();
    TestArtifacts.trust(key, work.resolve("keys"));
    AgentConfig config =
        ConfigLoader.parse(
            "{\"stateDir\": \"state\", \"profile\": \"linux-x86_64\", \"http\": {\"port\": 0},"
                + " \"security\": {\"trustedKeysDir\": \"keys\"}, \"threads\": {\"inference\": 1}}",
            work);
    List<ServedInference> captured = new CopyOnWriteArrayList<>();
    try (Agent agent = Agent.start(config, captured::add)) {
      HttpClient client = HttpClient.newHttpClient();
      String token = Files.readString(TokenFile.defaultLocation(config.stateDir())).strip();
      for (String[] v : new String[][] {{"1", "replace"}, {"2", "shadow"}}) {
        Path kiln =
            TestArtifacts.build(
                TestArtifacts.spec().version(v[0]), key, config.models().importDirs().get(0));
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/models"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"artifact\": \"" + kiln + "\", \"placement\": \"" + v[1] + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      }
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + agent.port() + "/invocations"))
                  .header("X-Kiln-Request-Id", "req-42")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1,2,3,4,5,6,7,8]]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"variant\":\"1\"");

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> captured.stream().filter(c -> "req-42".equals(c.requestId())).count() == 2);
      ServedInference prod =
          captured.stream()
              .filter(c -> "req-42".equals(c.requestId()) && !c.shadow())
              .findFirst()
              .orElseThrow();
      ServedInference shadow =
          captured.stream()
              .filter(c -> "req-42".equals(c.requestId()) && c.shadow())
              .findFirst()
              .orElseThrow();
      assertThat(prod.version()).isEqualTo("1");
      assertThat(shadow.version()).isEqualTo("2");
      assertThat(shadow.outputs().get("output")).isEqualTo(prod.outputs().get("output"));
      assertThat(prod.inputs().get("input").floats()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }
  }

  @Test
  void customAttributes_andOpenInferenceRequests_reachTheSink() throws Exception {
    Path work = AgentProcess.tmp("capture-attrs");
    KeyPair key = Ed25519Keys.generate();
    TestArtifacts.trust(key, work.resolve("keys"));
    AgentConfig config =
        ConfigLoader.parse(
            "{\"stateDir\": \"state\", \"profile\": \"linux-x86_64\", \"http\": {\"port\": 0},"
                + " \"security\": {\"trustedKeysDir\": \"keys\"}, \"threads\": {\"inference\": 1}}",
            work);
    List<ServedInference> captured = new CopyOnWriteArrayList<>();
    try (Agent agent = Agent.start(config, captured::add)) {
      HttpClient client = HttpClient.newHttpClient();
      String token = Files.readString(TokenFile.defaultLocation(config.stateDir())).strip();
      for (String[] v : new String[][] {{"1", "replace"}, {"2", "shadow"}}) {
        Path kiln =
            TestArtifacts.build(
                TestArtifacts.spec().version(v[0]), key, config.models().importDirs().get(0));
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/models"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"artifact\": \"" + kiln + "\", \"placement\": \"" + v[1] + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      }
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + agent.port() + "/invocations"))
                  .header("X-Kiln-Request-Id", "req-attrs")
                  .header("X-Amzn-SageMaker-Custom-Attributes", "trace=7; tenant=a")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1,2,3,4,5,6,7,8]]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      HttpResponse<String> v2 =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + agent.port() + "/v2/models/mlp/infer"))
                  .header("X-Kiln-Request-Id", "req-oip")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 8], \"datatype\":"
                              + " \"FP32\", \"data\": [1, 2, 3, 4, 5, 6, 7, 8]}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(v2.statusCode()).as(v2.body()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  captured.stream().filter(c -> "req-attrs".equals(c.requestId())).count() == 2
                      && captured.stream().filter(c -> "req-oip".equals(c.requestId())).count()
                          == 2);
      assertThat(captured.stream().filter(c -> "req-attrs".equals(c.requestId())))
          .as("production and shadow records both carry them")
          .allSatisfy(c -> assertThat(c.customAttributes()).isEqualTo("trace=7; tenant=a"));
      ServedInference oip =
          captured.stream()
              .filter(c -> "req-oip".equals(c.requestId()) && !c.shadow())
              .findFirst()
              .orElseThrow();
      assertThat(oip.version()).isEqualTo("1");
      assertThat(oip.customAttributes()).isNull();
      assertThat(oip.inputs().get("input").floats()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }
  }
}
