package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bandit routing on a real agent: {@code mlp} versions 1 (arm A) and 2 (arm B) as production
 * variants, and a client that rewards A's answers with probability 0.9 and B's with 0.2. After
 * {@link #LEARN} requests the bandit must send at least 90% of the next {@link #MEASURE} to A, and
 * B must keep its 5% floor. Then {@code kill -9}: the posterior survives and routing still favours
 * A.
 */
class BanditRoutingIT {
  /** Requests the bandit may spend learning (N in docs/agent.md, "Bandit routing"). */
  static final int LEARN = 200;

  /**
   * Requests measured after learning. With a 0.05 floor and A clearly best, B's expected share is
   * 0.05: 20 of 400 (sd 4.4), so A's 360 (90%) is 4.5 sd away and B's lower bound of 5 is 3.4 sd.
   */
  static final int MEASURE = 400;

  static final double FLOOR = 0.05;

  private static final byte[] BODY =
      "{\"instances\": [[1, 2, 3, 4, 5, 6, 7, 8]]}".getBytes(StandardCharsets.UTF_8);

  private final Random client = new Random(15);
  private AgentProcess agent;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void bandit_shiftsTrafficToTheBetterArm_keepsTheFloor_andSurvivesKill9() throws Exception {
    Path work = AgentProcess.tmp("bandit");
    KeyPair key = Ed25519Keys.generate();
    agent =
        new AgentProcess(
            work,
            c ->
                c.putObject("models")
                    .put("defaultModel", "mlp")
                    .putObject("routing")
                    .putObject("mlp")
                    .put("type", "bandit")
                    .put("algorithm", "thompson")
                    .put("explorationFloor", FLOOR)
                    .put("reward", "feedback"));
    TestArtifacts.trust(key, agent.keysDir());
    agent.start();
    Path artifacts = work.resolve("artifacts");
    assertThat(
            agent
                .install(TestArtifacts.build(TestArtifacts.spec(), key, artifacts), "replace", 1.0)
                .statusCode())
        .isEqualTo(201);
    assertThat(
            agent
                .install(
                    TestArtifacts.build(TestArtifacts.spec().version("2"), key, artifacts),
                    "variant",
                    1.0)
                .statusCode())
        .isEqualTo(201);

    int[] learning = serveAndReward(LEARN);
    assertThat(learning[0] + learning[1]).isEqualTo(LEARN);
    int[] measured = serveAndReward(MEASURE);
    assertThat(measured[0]).as("requests to A of %d", MEASURE).isGreaterThanOrEqualTo(360);
    assertThat(measured[1]).as("requests to B of %d (floor)", MEASURE).isGreaterThanOrEqualTo(5);

    JsonNode before = arms();
    assertThat(before.get(0).get("variant").asText()).isEqualTo("1");
    assertThat(before.get(0).get("share").asDouble()).isGreaterThanOrEqualTo(0.9);
    assertThat(before.get(1).get("share").asDouble()).isGreaterThanOrEqualTo(FLOOR);
    assertThat(before.get(0).get("posteriorMean").asDouble())
        .isGreaterThan(before.get(1).get("posteriorMean").asDouble());
    assertThat(before.get(0).get("pulls").asLong() + before.get(1).get("pulls").asLong())
        .isEqualTo(LEARN + MEASURE);
    String metrics = agent.get("/metrics").body();
    assertThat(metrics)
        .contains("kiln_bandit_traffic_share{model=\"mlp\",variant=\"1\"}")
        .contains(
            "kiln_bandit_pulls_total{model=\"mlp\",variant=\"2\"} "
                + before.get(1).get("pulls").asLong());

    // A named variant still wins over the bandit.
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> pinned =
          agent.send(
              "POST",
              "/invocations",
              BODY,
              "application/json",
              Map.of("X-Amzn-SageMaker-Target-Variant", "2"));
      assertThat(AgentProcess.json(pinned).get("version").asText()).isEqualTo("2");
    }
    JsonNode learned = arms();

    // The state file is written at most a second after the last change; wait for it, then crash.
    Path state = agent.stateDir().resolve("bandits/mlp.json");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Files.exists(state)
                    && Json.MAPPER.readTree(state.toFile()).at("/arms/2/pulls").asLong()
                        == learned.get(1).get("pulls").asLong());
    agent.kill9();
    agent.start();
    JsonNode after = arms();
    for (int i = 0; i < 2; i++) {
      for (String field :
          new String[] {"variant", "pulls", "rewarded", "rewardSum", "posteriorMean"}) {
        assertThat(after.get(i).get(field))
            .as("arm %d %s", i, field)
            .isEqualTo(learned.get(i).get(field));
      }
    }
    // 300 requests: A expects 285 (sd 3.8), so 270 (90%) is 4 sd away.
    int[] resumed = serveAndReward(300);
    System.out.printf(
        "bandit IT: learning A %d B %d; measured A %d B %d; after kill -9 A %d B %d%n",
        learning[0], learning[1], measured[0], measured[1], resumed[0], resumed[1]);
    assertThat(resumed[0]).as("requests to A of 300 after restart").isGreaterThanOrEqualTo(270);
  }

  private JsonNode arms() throws Exception {
    HttpResponse<String> r = agent.get("/models/mlp");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode routing = AgentProcess.json(r).get("routing");
    assertThat(routing.get("type").asText()).isEqualTo("bandit");
    return routing.get("arms");
  }

  /** Serves {@code n} requests and rewards each; returns how many went to A and to B. */
  private int[] serveAndReward(int n) throws Exception {
    int[] counts = new int[2];
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r =
          agent.send("POST", "/invocations", BODY, "application/json", Map.of());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = AgentProcess.json(r);
      boolean a = body.get("version").asText().equals("1");
      counts[a ? 0 : 1]++;
      double reward = client.nextDouble() < (a ? 0.9 : 0.2) ? 1 : 0;
      HttpResponse<String> fb =
          agent.postJson(
              "/feedback", Map.of("requestId", body.get("requestId").asText(), "reward", reward));
      assertThat(fb.statusCode()).as(fb.body()).isEqualTo(202);
    }
    return counts;
  }
}
