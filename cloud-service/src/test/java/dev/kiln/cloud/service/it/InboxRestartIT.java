package dev.kiln.cloud.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cloud.service.CloudHost;
import dev.kiln.cloud.service.auth.TokenStore;
import dev.kiln.cloud.service.cli.CloudMain;
import dev.kiln.cloud.service.inbox.FileInbox;
import dev.kiln.fleet.simulate.FleetSimulator;
import dev.kiln.fleet.simulate.SimBehavior;
import dev.kiln.fleet.simulate.StandInArtifacts;
import dev.kiln.testkit.FreePorts;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts lose no queued request, and run none twice: a deploy is queued on a service whose inbox
 * is paused, the service process is killed with SIGKILL before it runs it, and a restarted service
 * runs it, exactly once, to the end on simulated devices. A third start (after another SIGKILL)
 * finds the request done and starts nothing again.
 */
class InboxRestartIT {
  static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  private JvmProcess service(int brokerPort, boolean paused, String name) throws Exception {
    Path state = tmp.resolve("cloud.state");
    Files.deleteIfExists(state.resolve(CloudHost.API_PORT_FILE));
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--db",
                tmp.resolve("cloud.duckdb").toString(),
                "--state-dir",
                state.toString(),
                "--port",
                Integer.toString(brokerPort),
                "--api-port",
                "0"));
    if (paused) {
      args.add("--inbox-paused");
    }
    JvmProcess p =
        JvmLauncher.of(CloudMain.class.getName())
            .classpath(JvmLauncher.testClasspath())
            .args(args)
            .log(tmp.resolve(name + ".log"))
            .start();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              p.checkAlive("kiln cloud run");
              return Files.exists(state.resolve(CloudHost.API_PORT_FILE));
            });
    return p;
  }

  private ApiClient api() throws Exception {
    Path state = tmp.resolve("cloud.state");
    String port = Files.readString(state.resolve(CloudHost.API_PORT_FILE)).strip();
    return new ApiClient(
        "http://127.0.0.1:" + port + "/api/v1",
        TokenStore.readTokenFile(state.resolve(TokenStore.ADMIN_TOKEN_FILE)));
  }

  @Test
  void aDeployQueuedBeforeASigkill_runsExactlyOnce_afterTheRestart() throws Exception {
    int brokerPort = FreePorts.next();
    KeyPair artifactKey = Ed25519Keys.generate();
    Path artifact =
        StandInArtifacts.write(
            tmp.resolve("artifacts"), "mlp", "2", "linux-x86_64", "x86_64", 4096, artifactKey);
    JvmProcess first = service(brokerPort, true, "first");
    PublicKey console = Ed25519Keys.readPublic(tmp.resolve("cloud.state/console.pub"));
    // One connection per device, as agents have; they reconnect to each restarted broker.
    try (FleetSimulator devices =
        FleetSimulator.start(
            new FleetSimulator.Spec(
                "tcp://127.0.0.1:" + brokerPort,
                "restart",
                3,
                "linux-x86_64",
                List.of("lab"),
                tmp.resolve("devices"),
                Map.of(Ed25519Keys.keyId(console), console),
                Map.of(Ed25519Keys.keyId(artifactKey.getPublic()), artifactKey.getPublic()),
                Map.of("mlp", "1"),
                SimBehavior.healthy(),
                Duration.ofMillis(300),
                1,
                2))) {
      String deploymentId;
      String requestId;
      try {
        await()
            .atMost(WAIT)
            .until(() -> api().get("/fleet/summary").json().path("online").asInt() == 3);
        ApiClient.Reply accepted =
            api()
                .post(
                    "/deployments", Map.of("artifact", artifact.toString(), "target", "group:lab"));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        deploymentId = accepted.json().path("deploymentId").asText();
        requestId = accepted.json().path("requestId").asText();
        assertThat(api().get("/requests/" + requestId).json().path("state").asText())
            .isEqualTo("QUEUED");
        assertThat(api().get("/deployments/" + deploymentId).json().path("state").asText())
            .isEqualTo("QUEUED");
      } finally {
        first.kill();
      }
      assertThat(tmp.resolve("cloud.state").resolve(FileInbox.DIR).resolve(requestId + ".json"))
          .content()
          .contains("QUEUED");

      JvmProcess second = service(brokerPort, false, "second");
      try {
        await()
            .atMost(WAIT)
            .until(
                () -> api().get("/deployments/" + deploymentId).json().path("state").asText(),
                s -> s.equals("SUCCEEDED") || s.equals("FAILED") || s.equals("REJECTED"));
        JsonNode done = api().get("/deployments/" + deploymentId).json();
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.path("devices")).hasSize(3);
        assertThat(api().get("/requests/" + requestId).json().path("state").asText())
            .isEqualTo("DONE");
        assertThat(api().get("/deployments").json().path("items")).hasSize(1);
      } finally {
        second.kill();
      }
      JvmProcess third = service(brokerPort, false, "third");
      try {
        await()
            .atMost(WAIT)
            .until(() -> api().get("/fleet/summary").json().path("online").asInt() == 3);
        JsonNode list = api().get("/deployments").json().path("items");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo(deploymentId);
        assertThat(list.get(0).path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(api().get("/requests/" + requestId).json().path("state").asText())
            .isEqualTo("DONE");
      } finally {
        third.close();
      }
    }
  }
}
