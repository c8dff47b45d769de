package dev.kiln.fleet.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.StateChanges;
import dev.kiln.testkit.PostgresServer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console on PostgreSQL without a broker: a queued request is carried out once and marked done,
 * the deployment survives a change of leader, and the old leader's console stops once fenced.
 */
class FleetConsoleOnPostgresTest {
  private static final ArtifactRef V2 =
      new ArtifactRef("mlp", "2", "abc", 1, "x86_64", "linux-x86_64", List.of(), "/nope.kiln");
  @TempDir Path dir;

  @Test
  void queuedDeploy_isCarriedOutByTheLeader_survivesATakeover_andFencesTheOldLeader() {
    PostgresUrl url =
        PostgresUrl.parse(PostgresServer.shared().createDatabase("console_pg").storeUri());
    KeyPair key = Ed25519Keys.generate();
    // Port 1 on loopback refuses connections: the console works offline, nothing is sent.
    ConsoleConfig config = ConsoleConfig.defaults("tcp://127.0.0.1:1", dir, key);
    try (LeaderLease lease = new LeaderLease(url, Duration.ofSeconds(30));
        PostgresFleetState reader = PostgresFleetState.forReading(url)) {
      LeaderLease.Fence first = new LeaderLease.Fence("a", lease.tryAcquire("a").orElseThrow());
      FleetConsole leader = new FleetConsole(config, PostgresFleetState.forLeader(url, first));
      try (PostgresFleetState seed = PostgresFleetState.forLeader(url, first)) {
        seed.write(
            new StateChanges(
                List.of(
                    DeviceRecord.unknown("d1")
                        .withInfo(List.of("lab"), "linux-x86_64", "x86_64")
                        .withReported("mlp", "1")),
                List.of(),
                List.of(),
                List.of(),
                List.of()));
      }
      leader.close();
      leader = new FleetConsole(config, PostgresFleetState.forLeader(url, first));
      leader.start();
      reader.submit(
          ConsoleRequest.deploy(
              "dep-q1",
              List.of(V2),
              TargetSelector.group("lab"),
              "all-at-once",
              GateConfig.defaults(),
              System.currentTimeMillis()));
      await().atMost(Duration.ofSeconds(20)).until(() -> reader.pendingRequests().isEmpty());
      assertThat(reader.loadDeployment("dep-q1").state()).isEqualTo(DeploymentState.IN_PROGRESS);

      // Another replica takes over; the old leader's next write is refused and it stops.
      lease.release(first);
      LeaderLease.Fence second = new LeaderLease.Fence("b", lease.tryAcquire("b").orElseThrow());
      try (FleetConsole next =
          new FleetConsole(config, PostgresFleetState.forLeader(url, second))) {
        assertThat(next.deployment("dep-q1").state()).isEqualTo(DeploymentState.IN_PROGRESS);
        assertThat(next.devices().get(0).desired().get("mlp").version()).isEqualTo("2");
        FleetConsole old = leader;
        reader.submit(ConsoleRequest.about("c-1", ConsoleRequest.Kind.CANCEL, "dep-q1", 1));
        await().atMost(Duration.ofSeconds(20)).until(old::fenced);
        assertThat(reader.loadDeployment("dep-q1").state())
            .as("the fenced leader's cancel never reached the database")
            .isEqualTo(DeploymentState.IN_PROGRESS);
        assertThat(reader.pendingRequests()).extracting(ConsoleRequest::id).containsExactly("c-1");
      } finally {
        leader.close();
      }
    }
  }
}
