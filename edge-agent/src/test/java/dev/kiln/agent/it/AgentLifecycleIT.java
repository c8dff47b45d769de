package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.http.Npy;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Ed25519Keys;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Start-up from configured artifacts, and SIGTERM draining a request in flight. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentLifecycleIT {
  private static AgentProcess agent;

  @BeforeAll
  static void start() throws Exception {
    Path work = AgentProcess.tmp("lifecycle");
    KeyPair key = Ed25519Keys.generate();
    Path cnn =
        TestArtifacts.build(
            TestArtifacts.spec().name("cnn").sample("cnn"), key, work.resolve("artifacts"));
    agent =
        new AgentProcess(
            work,
            c -> {
              c.putObject("models")
                  .put("defaultModel", "cnn")
                  .putArray("artifacts")
                  .add(cnn.toString());
              c.with("http").put("maxBodyBytes", 64L * 1024 * 1024);
            });
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
  }

  @Test
  @Order(1)
  void configuredArtifacts_areInstalledAndServedAtStart() throws Exception {
    assertThat(agent.get("/ping").statusCode()).isEqualTo(200);
    assertThat(AgentProcess.json(agent.get("/models/cnn")).at("/versions/1/state").asText())
        .isEqualTo("ACTIVE");
  }

  @Test
  @Order(2)
  void sigterm_drainsRequestInFlight_thenExits() throws Exception {
    int rows = 3000;
    float[] values = new float[rows * 3 * 32 * 32];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 97) / 97f;
    }
    byte[] npy = Npy.write(Tensor.ofFloats(new long[] {rows, 3, 32, 32}, values));
    CompletableFuture<HttpResponse<String>> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return agent.send("POST", "/invocations", npy, "application/x-npy", Map.of());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // The scrape counts itself, so 2 means the big request is being handled.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> slow.isDone() || inFlight() >= 2);
    agent.process().destroy();

    HttpResponse<String> reply = slow.get(60, TimeUnit.SECONDS);
    assertThat(reply.statusCode())
        .as(reply.body().substring(0, Math.min(200, reply.body().length())))
        .isEqualTo(200);
    assertThat(reply.body()).contains("\"outputs\"");
    assertThat(agent.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.process().exitValue()).isZero();
    assertThat(agent.log()).contains("draining").contains("kiln-agent stopped");
  }

  private static int inFlight() throws Exception {
    Matcher m =
        Pattern.compile("(?m)^kiln_http_requests_in_flight (\\d+)")
            .matcher(agent.get("/metrics").body());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}
