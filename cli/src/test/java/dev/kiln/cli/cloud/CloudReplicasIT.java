package dev.kiln.cli.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.KilnMain;
import dev.kiln.cli.replicas.ReplicaCluster;
import dev.kiln.cloud.service.api.LeaderRelay;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.cloud.service.deploy.Deployments;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.testkit.JvmProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three {@code kiln cloud run --store postgresql://... --broker tcp://...} replicas of one service
 * on a real PostgreSQL and a real Mosquitto, with simulated devices. A token is made through one
 * follower and used on another; a canary is requested through a follower's API (forwarded to the
 * leader, queued once in the shared inbox); the leader is killed with SIGKILL while the canary's
 * commands are in flight; a follower refuses console calls with 503 and Retry-After until another
 * replica has taken the lease; that replica finishes the canary, every device ends on the new
 * version, and a surviving replica's API shows the deployment SUCCEEDED (its event stream too).
 */
class CloudReplicasIT {
  private static final int DEVICES = 4;
  private static final int REPLICAS = 3;
  private static final ObjectMapper JSON = ReplicaApi.JSON;

  @Test
  void killingTheLeaderMidCanary_requestedThroughAFollower_anotherReplicaFinishesIt(
      @TempDir Path dir) throws Exception {
    try (ReplicaCluster cluster = ReplicaCluster.start(dir, "cloud_replicas", DEVICES, 1_000_000)) {
      String store = cluster.store();
      List<Path> states = new ArrayList<>();
      // The first replica creates the admin token; the others find tokens there and make none.
      for (int i = 0; i < REPLICAS; i++) {
        Path state = Files.createDirectories(cluster.replicaDir(i).resolve("state"));
        for (String f : List.of("console.key", "console.pub")) {
          Files.copy(
              cluster.consoleKeys().resolve(f),
              state.resolve(f),
              StandardCopyOption.COPY_ATTRIBUTES);
        }
        states.add(state);
        awaitServing(replica(cluster, i, state));
      }
      List<JvmProcess> replicas = cluster.replicas();
      String admin = TokenStore.readTokenFile(states.get(0).resolve(TokenStore.ADMIN_TOKEN_FILE));
      assertThat(states.get(1).resolve(TokenStore.ADMIN_TOKEN_FILE)).doesNotExist();
      for (JvmProcess p : replicas) {
        // The same console key everywhere, so no replica warns about another one's.
        assertThat(Files.readString(p.log()))
            .contains("signs with console key")
            .doesNotContain("WARNING");
      }
      cluster.startDevices();
      LeaderLease.Fence first = cluster.awaitLeader();
      JvmProcess leader = cluster.holding(first);
      List<ReplicaApi> followers = new ArrayList<>();
      for (int i = 0; i < REPLICAS; i++) {
        if (replicas.get(i) != leader) {
          followers.add(ReplicaApi.of(states.get(i)));
        }
      }

      // A follower answers console calls through the leader: here, the fleet the leader hears.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  followers.get(0).get("/fleet/summary", admin).path("online").asInt() == DEVICES);

      // A token made through one follower works on the other (tokens live in PostgreSQL).
      JsonNode made =
          followers.get(0).post("/tokens", admin, "{\"name\":\"ops\",\"role\":\"operator\"}", 201);
      String operator = made.path("token").asText();
      assertThat(followers.get(1).get("/whoami", operator).path("name").asText()).isEqualTo("ops");
      // And one made from the command line, straight into the database.
      StringWriter tokenOut = new StringWriter();
      CommandLine cli = KilnMain.commandLine();
      cli.setOut(new PrintWriter(tokenOut, true));
      int made2 =
          cli.execute(
              "cloud",
              "token",
              "create",
              "--name",
              "dash",
              "--role",
              "viewer",
              "--store",
              store,
              "--state-dir",
              dir.resolve("cli-state").toString());
      assertThat(made2).isZero();
      assertThat(followers.get(1).get("/whoami", tokenOut.toString().strip()).path("role").asText())
          .isEqualTo("viewer");

      // The artifact is registered through one follower and named by its id through the other
      // (the catalog lives in PostgreSQL); the canary is asked for through a follower and the
      // leader queues it once.
      String artifactId =
          followers
              .get(0)
              .post(
                  "/artifacts",
                  operator,
                  "{\"path\":" + JSON.writeValueAsString(cluster.artifact().toString()) + "}",
                  201)
              .path("id")
              .asText();
      assertThat(followers.get(1).get("/artifacts", admin).path("items").findValuesAsText("id"))
          .containsExactly(artifactId);
      JsonNode accepted =
          followers
              .get(1)
              .post(
                  "/deployments",
                  operator,
                  "{\"artifact\":\""
                      + artifactId
                      + "\",\"strategy\":\"canary:50:10s\",\"target\":\"group:cli\"}",
                  202);
      String id = accepted.path("deploymentId").asText();
      String requestId = accepted.path("requestId").asText();

      try (PostgresFleetState state = PostgresFleetState.forReading(cluster.url())) {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    state.loadDeployments().stream()
                        .anyMatch(
                            d ->
                                d.devices().values().stream()
                                    .anyMatch(r -> r.status().awaitingReply())));

        long killedAt = System.nanoTime();
        leader.kill();
        // The lease has not run out yet: a follower names the dead leader and asks to retry.
        HttpResponse<String> refused = followers.get(0).call("/fleet/summary", admin, null);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After"))
            .contains(String.valueOf(LeaderRelay.RETRY_AFTER_SECONDS));
        assertThat(JSON.readTree(refused.body()).path("error").asText()).contains(first.holder());
        // That reply is documented (the document itself is served by every replica).
        JsonNode doc = JSON.readTree(followers.get(0).call("/openapi.json", admin, null).body());
        assertThat(doc.at("/paths/~1fleet~1summary/get/responses/503").isObject()).isTrue();

        double takeover = cluster.awaitTakeover(first, killedAt);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> followers.get(0).call("/fleet/summary", admin, null).statusCode() == 200);
        double answering = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf(
            "cloud replicas failover: a new leader took the lease %.1f s after kill -9; the API"
                + " answered console calls again after %.1f s%n",
            takeover, answering);
        // Who led after the kill, and what it was handed.
        cluster.printReplicaLines(leader, "leading as");

        // Any surviving replica shows the canary finished by the new leader.
        for (ReplicaApi survivor : followers) {
          await()
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofSeconds(1))
              .until(() -> terminal(survivor.get("/deployments/" + id, admin)));
          assertThat(survivor.get("/deployments/" + id, admin).path("state").asText())
              .isEqualTo("SUCCEEDED");
        }
        assertThat(followers.get(0).get("/requests/" + requestId, admin).path("state").asText())
            .isEqualTo("DONE");
        HttpResponse<String> events =
            followers.get(1).call("/deployments/" + id + "/events", admin, null);
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.body()).contains("event: deployment").contains("SUCCEEDED");

        List<Deployment> all = state.loadDeployments();
        assertThat(all).as("the request ran once").hasSize(1);
        Deployment done = all.get(0);
        assertThat(done.id()).isEqualTo(id);
        assertThat(done.state()).as(done.reason()).isEqualTo(DeploymentState.SUCCEEDED);
        assertThat(done.devices().values())
            .extracting(DeviceRollout::status)
            .containsOnly(DeviceRollout.Status.ACTIVE)
            .hasSize(DEVICES);
        cluster.awaitEveryDeviceOn(state, "2");

        // kiln fleet compare reads the deployment and the captures from the same database.
        StringWriter compared = new StringWriter();
        CommandLine compare = KilnMain.commandLine();
        compare.setOut(new PrintWriter(compared, true));
        compare.setErr(new PrintWriter(compared, true));
        assertThat(compare.execute("fleet", "compare", id, "--store", store))
            .as(compared.toString())
            .isZero();
        assertThat(compared.toString()).contains(id + "  mlp@2 (canary:50:10000ms) on 4 devices");
      }
    }
  }

  private static boolean terminal(JsonNode deployment) {
    return Deployments.FINAL.contains(deployment.path("state").asText());
  }

  private static void awaitServing(JvmProcess p) {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              p.checkAlive("kiln cloud run");
              return Files.readString(p.log()).contains("subscribed to capture");
            });
  }

  private static JvmProcess replica(ReplicaCluster cluster, int i, Path state) throws Exception {
    return cluster.launch(
        i,
        "cloud",
        "run",
        "--store",
        cluster.store(),
        "--broker",
        cluster.brokerUrl(),
        "--client-id",
        "ingest-" + i,
        "--broker-data",
        cluster.replicaDir(i).resolve("broker").toString(),
        "--state-dir",
        state.toString(),
        "--api-port",
        "0");
  }
}
