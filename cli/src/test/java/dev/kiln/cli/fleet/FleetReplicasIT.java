package dev.kiln.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.cli.KilnMain;
import dev.kiln.cli.replicas.ReplicaCluster;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.JvmProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Three {@code kiln fleet serve --store postgresql://...} processes against one real PostgreSQL and
 * one Mosquitto, with simulated devices: a canary starts, the leader is killed with SIGKILL (while
 * the canary's devices download, or while it bakes), another replica takes the lease and finishes
 * the rollout from the database, every device ends on the new version, and no device got two
 * different command ids for its one step of the deployment (a re-send, if any, carried the same
 * id).
 */
class FleetReplicasIT {
  private static final int DEVICES = 6;

  /** When the leader dies. */
  enum KillPoint {
    /** As soon as a canary device's deploy is recorded: commands and downloads in flight. */
    COMMANDS_IN_FLIGHT,
    /** While the canary bakes: the new leader judges the bake and promotes. */
    BAKING
  }

  @ParameterizedTest
  @EnumSource(KillPoint.class)
  void killingTheLeaderMidCanary_anotherReplicaFinishesIt_withoutNewCommandIds(
      KillPoint when, @TempDir Path dir) throws Exception {
    try (ReplicaCluster cluster = ReplicaCluster.start(dir, "fleet_replicas", DEVICES, 3_000_000);
        CommandLog commands = new CommandLog(cluster.brokerUrl())) {
      String store = cluster.store();
      for (int i = 0; i < 3; i++) {
        cluster.launch(
            i,
            "fleet",
            "serve",
            "--store",
            store,
            "--broker",
            cluster.brokerUrl(),
            "--state-dir",
            cluster.replicaDir(i).toString(),
            "--key",
            cluster.consoleKeys().resolve("console.key").toString());
      }
      cluster.startDevices();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> cluster.devicesOutput().contains("connected"));
      cluster.awaitLeader();
      try (PostgresFleetState state = PostgresFleetState.forReading(cluster.url())) {
        cluster.awaitDevicesRegistered(state);

        StringWriter deployOut = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread deploy =
            new Thread(
                () ->
                    exit.set(
                        run(
                            deployOut,
                            "deploy",
                            cluster.artifact().toString(),
                            "--group",
                            ReplicaCluster.GROUP,
                            "--strategy",
                            "canary:50:15s",
                            "--store",
                            store,
                            "--wait",
                            "PT3M")));
        deploy.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> state.loadDeployments().stream().anyMatch(d -> reached(d, when)));

        LeaderLease.Fence before = cluster.lease().current();
        JvmProcess leader = cluster.holding(before);
        long killedAt = System.nanoTime();
        leader.kill();
        double takeoverSeconds = cluster.awaitTakeover(before, killedAt);
        System.out.printf(
            "failover (%s): a new leader took the lease %.1f s after kill -9%n",
            when, takeoverSeconds);

        deploy.join(Duration.ofMinutes(3).toMillis());
        // What the replicas did, in the test's output: who led, what was handed over.
        cluster.printReplicaLines(leader, "leading as", "re-sending");
        assertThat(exit.get()).as(deployOut.toString()).isZero();
        Deployment done = state.loadDeployments().get(0);
        assertThat(done.state()).as(done.reason()).isEqualTo(DeploymentState.SUCCEEDED);
        assertThat(done.devices().values())
            .extracting(DeviceRollout::status)
            .containsOnly(DeviceRollout.Status.ACTIVE)
            .hasSize(DEVICES);
        cluster.awaitEveryDeviceOn(state, "2");

        Map<String, Set<String>> ids = commands.idsPerStep(done.id());
        assertThat(ids).hasSize(DEVICES);
        assertThat(ids)
            .as("one command id per device and step, whatever was re-sent")
            .allSatisfy((step, its) -> assertThat(its).hasSize(1));
      }
    }
  }

  private static boolean reached(Deployment d, KillPoint when) {
    return switch (when) {
      case COMMANDS_IN_FLIGHT ->
          d.devices().values().stream().anyMatch(r -> r.status().awaitingReply());
      case BAKING -> d.state() == DeploymentState.BAKING;
    };
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = KilnMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    String[] fleet = new String[args.length + 1];
    fleet[0] = "fleet";
    System.arraycopy(args, 0, fleet, 1, args.length);
    return cli.execute(fleet);
  }

  /** Every command the broker carried to a device, as the device received it. */
  private static final class CommandLog implements AutoCloseable {
    private final MqttTransport transport;
    private final Map<String, Set<String>> idsPerStep = new ConcurrentHashMap<>();

    CommandLog(String broker) {
      transport = new MqttTransport(TransportConfig.builder(broker, "it-command-log").build());
      transport.keepSubscribed(List.of("kiln/v1/devices/+/commands/+"), 1);
      transport.setMessageHandler(
          m -> {
            Command c = ProtocolJson.read(m.payload(), Command.class);
            String step =
                c.payload().path("deploymentId").asText()
                    + " "
                    + c.deviceId()
                    + " "
                    + c.type()
                    + " "
                    + c.payload().path("variant").asText()
                    + " "
                    + c.payload().path("version").asText();
            idsPerStep.computeIfAbsent(step, k -> new TreeSet<>()).add(c.id());
          });
      transport.start();
      await().atMost(Duration.ofSeconds(30)).until(transport::subscribed);
    }

    Map<String, Set<String>> idsPerStep(String deploymentId) {
      return idsPerStep.entrySet().stream()
          .filter(e -> e.getKey().startsWith(deploymentId + " "))
          .collect(
              Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    @Override
    public void close() {
      transport.close();
    }
  }
}
