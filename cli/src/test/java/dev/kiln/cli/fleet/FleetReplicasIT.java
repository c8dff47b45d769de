package dev.kiln.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cli.KilnMain;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.replica.ConsoleReplica;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.simulate.StandInArtifacts;
import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.transport.MqttTransport;
import dev.kiln.link.transport.TransportConfig;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import dev.kiln.testkit.Mosquitto;
import dev.kiln.testkit.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
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

  /**
   * The stated failover bound is the lease plus one renewal (13 s); this adds a renewal and 5 s for
   * a shared, busy test machine (JVM pauses, the new console loading state and connecting).
   */
  private static final Duration TAKEOVER_BOUND =
      ConsoleReplica.LEASE.plus(ConsoleReplica.RENEW.multipliedBy(2)).plusSeconds(5);

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
    PostgresServer.requireInstalled();
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Ed25519Keys.writePair(
        Ed25519Keys.generate(), shared.resolve("console.key"), shared.resolve("console.pub"));
    KeyPair artifactKey = Ed25519Keys.generate();
    Path keys = Files.createDirectories(dir.resolve("keys"));
    Ed25519Keys.writePair(artifactKey, dir.resolve("release.key"), keys.resolve("release.pub"));
    Path kiln =
        StandInArtifacts.write(
            Files.createDirectories(dir.resolve("a")),
            "mlp",
            "2",
            "linux-x86_64",
            "x86_64",
            3_000_000,
            artifactKey);

    try (PostgresServer pg = PostgresServer.start();
        Mosquitto broker = Mosquitto.start(dir.resolve("broker"))) {
      String store = pg.createDatabase("fleet_replicas").storeUri();
      PostgresUrl url = PostgresUrl.parse(store);
      CommandLog commands = new CommandLog(broker.url());
      List<JvmProcess> replicas = new ArrayList<>();
      StringWriter simOut = new StringWriter();
      Thread sim = simulator(simOut, broker.url(), shared, keys);
      try {
        for (int i = 0; i < 3; i++) {
          replicas.add(replica(dir, i, store, broker.url(), shared));
        }
        sim.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> simOut.toString().contains("connected"));
        LeaderLease lease = new LeaderLease(url, ConsoleReplica.LEASE);
        await().atMost(Duration.ofSeconds(60)).until(() -> lease.current().holder() != null);
        try (PostgresFleetState state = PostgresFleetState.forReading(url)) {
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> state.loadDevices().stream().filter(this::inGroup).count() == DEVICES);

          StringWriter deployOut = new StringWriter();
          AtomicInteger exit = new AtomicInteger(-1);
          Thread deploy =
              new Thread(
                  () ->
                      exit.set(
                          run(
                              deployOut,
                              "deploy",
                              kiln.toString(),
                              "--group",
                              "cli",
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

          LeaderLease.Fence before = lease.current();
          JvmProcess leader =
              replicas.stream()
                  .filter(p -> before.holder().startsWith(p.pid() + "@"))
                  .findFirst()
                  .orElseThrow();
          long killedAt = System.nanoTime();
          leader.kill();
          await()
              .atMost(TAKEOVER_BOUND)
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> {
                    LeaderLease.Fence now = lease.current();
                    return now.epoch() > before.epoch()
                        && now.holder() != null
                        && !now.holder().equals(before.holder());
                  });
          double takeoverSeconds = (System.nanoTime() - killedAt) / 1e9;
          System.out.printf(
              "failover (%s): a new leader took the lease %.1f s after kill -9%n",
              when, takeoverSeconds);

          deploy.join(Duration.ofMinutes(3).toMillis());
          for (JvmProcess p : replicas) {
            if (p != leader) {
              // What the replicas did, in the test's output: who led, what was handed over.
              Files.readAllLines(p.log()).stream()
                  .filter(l -> l.contains("leading as") || l.contains("re-sending"))
                  .forEach(l -> System.out.println("replica " + p.pid() + ": " + l));
            }
          }
          assertThat(exit.get()).as(deployOut.toString()).isZero();
          Deployment done = state.loadDeployments().get(0);
          assertThat(done.state()).as(done.reason()).isEqualTo(DeploymentState.SUCCEEDED);
          assertThat(done.devices().values())
              .extracting(DeviceRollout::status)
              .containsOnly(DeviceRollout.Status.ACTIVE)
              .hasSize(DEVICES);
          await()
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(
                  () ->
                      assertThat(state.loadDevices().stream().filter(this::inGroup))
                          .extracting(d -> d.reported().get("mlp"))
                          .containsOnly("2")
                          .hasSize(DEVICES));

          Map<String, Set<String>> ids = commands.idsPerStep(done.id());
          assertThat(ids).hasSize(DEVICES);
          assertThat(ids)
              .as("one command id per device and step, whatever was re-sent")
              .allSatisfy((step, its) -> assertThat(its).hasSize(1));
        }
        lease.close();
      } finally {
        sim.interrupt();
        sim.join();
        for (JvmProcess p : replicas) {
          p.close();
        }
        commands.close();
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

  private boolean inGroup(DeviceRecord d) {
    return d.groups().contains("cli");
  }

  private static JvmProcess replica(Path dir, int i, String store, String broker, Path shared)
      throws Exception {
    Path state = Files.createDirectories(dir.resolve("replica-" + i));
    return JvmLauncher.of(KilnMain.class.getName())
        .classpath(JvmLauncher.testClasspath())
        .args(
            "fleet",
            "serve",
            "--store",
            store,
            "--broker",
            broker,
            "--state-dir",
            state.toString(),
            "--key",
            shared.resolve("console.key").toString())
        .jvmOption("-Xmx256m")
        .stderrToStdout()
        .log(dir.resolve("replica-" + i + ".log"))
        .start();
  }

  private static Thread simulator(StringWriter out, String broker, Path shared, Path keys) {
    return new Thread(
        () ->
            run(
                out,
                "simulate",
                "--devices",
                String.valueOf(DEVICES),
                "--broker",
                broker,
                "--state-dir",
                shared.toString(),
                "--artifact-keys",
                keys.toString(),
                "--group",
                "cli",
                "--heartbeat",
                "PT0.3S"));
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
