package dev.kiln.cli.replicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.cli.KilnMain;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.replica.ConsoleReplica;
import dev.kiln.fleet.simulate.StandInArtifacts;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import dev.kiln.testkit.Mosquitto;
import dev.kiln.testkit.PostgresServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * What the replica failover ITs run on: a real PostgreSQL and a real Mosquitto, the console key
 * every replica shares, a signed stand-in artifact {@code mlp@2}, simulated devices in group
 * {@value #GROUP} (all running {@code mlp@1}), and replica processes the test launches with its own
 * command line ({@code kiln fleet serve} or {@code kiln cloud run}). Closing it stops the devices,
 * the replicas, the broker and the server, in that order.
 */
public final class ReplicaCluster implements AutoCloseable {
  /** The simulated devices' group: the deployments' target. */
  public static final String GROUP = "cli";

  /**
   * The stated failover bound is the lease plus one renewal (13 s); this adds a renewal and 5 s for
   * a shared, busy test machine (JVM pauses, the new console loading state and connecting).
   */
  public static final Duration TAKEOVER_BOUND =
      ConsoleReplica.LEASE.plus(ConsoleReplica.RENEW.multipliedBy(2)).plusSeconds(5);

  private final Path dir;
  private final int devices;
  private final Path shared;
  private final Path keys;
  private final Path artifact;
  private final PostgresServer pg;
  private final Mosquitto broker;
  private final String store;
  private final LeaderLease lease;
  private final List<JvmProcess> replicas = new ArrayList<>();
  private final StringWriter devicesOut = new StringWriter();
  private Thread simulator;

  private ReplicaCluster(
      Path dir,
      int devices,
      Path shared,
      Path keys,
      Path artifact,
      PostgresServer pg,
      Mosquitto broker,
      String store) {
    this.dir = dir;
    this.devices = devices;
    this.shared = shared;
    this.keys = keys;
    this.artifact = artifact;
    this.pg = pg;
    this.broker = broker;
    this.store = store;
    this.lease = new LeaderLease(PostgresUrl.parse(store), ConsoleReplica.LEASE);
  }

  /**
   * Writes the keys and the artifact ({@code artifactBytes} of stand-in weights) under {@code dir}
   * and starts the server (database {@code database}) and the broker; no replica or device yet.
   */
  public static ReplicaCluster start(Path dir, String database, int devices, int artifactBytes)
      throws Exception {
    PostgresServer.requireInstalled();
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Ed25519Keys.writePair(
        Ed25519Keys.generate(), shared.resolve("console.key"), shared.resolve("console.pub"));
    KeyPair artifactKey = Ed25519Keys.generate();
    Path keys = Files.createDirectories(dir.resolve("keys"));
    Ed25519Keys.writePair(artifactKey, dir.resolve("release.key"), keys.resolve("release.pub"));
    Path artifact =
        StandInArtifacts.write(
            Files.createDirectories(dir.resolve("a")),
            "mlp",
            "2",
            "linux-x86_64",
            "x86_64",
            artifactBytes,
            artifactKey);
    PostgresServer pg = PostgresServer.start();
    Mosquitto broker = null;
    try {
      broker = Mosquitto.start(dir.resolve("broker"));
      String store = pg.createDatabase(database).storeUri();
      return new ReplicaCluster(dir, devices, shared, keys, artifact, pg, broker, store);
    } catch (Exception | Error e) {
      if (broker != null) {
        broker.close();
      }
      pg.close();
      throw e;
    }
  }

  /** The {@code --store} of every replica. */
  public String store() {
    return store;
  }

  public PostgresUrl url() {
    return PostgresUrl.parse(store);
  }

  public String brokerUrl() {
    return broker.url();
  }

  /** The console key pair every replica signs with: {@code console.key} and {@code .pub}. */
  public Path consoleKeys() {
    return shared;
  }

  /** The signed {@code mlp@2} to deploy. */
  public Path artifact() {
    return artifact;
  }

  public int devices() {
    return devices;
  }

  public LeaderLease lease() {
    return lease;
  }

  /** Replica {@code i}'s own folder (created): its working directory. */
  public Path replicaDir(int i) throws IOException {
    return Files.createDirectories(dir.resolve("replica-" + i));
  }

  /** Starts replica {@code i} as {@code kiln ARGS...} in its folder, logging to replica-i.log. */
  public JvmProcess launch(int i, String... args) throws Exception {
    JvmProcess p =
        JvmLauncher.of(KilnMain.class.getName())
            .classpath(JvmLauncher.testClasspath())
            .directory(replicaDir(i))
            .args(args)
            .jvmOption("-Xmx256m")
            .stderrToStdout()
            .log(dir.resolve("replica-" + i + ".log"))
            .start();
    replicas.add(p);
    return p;
  }

  public List<JvmProcess> replicas() {
    return List.copyOf(replicas);
  }

  /** Starts the simulated devices ({@code kiln fleet simulate}, heartbeats every 0.3 s). */
  public void startDevices() {
    simulator =
        new Thread(
            () -> {
              CommandLine cli = KilnMain.commandLine();
              cli.setOut(new PrintWriter(devicesOut, true));
              cli.setErr(new PrintWriter(devicesOut, true));
              cli.execute(
                  "fleet",
                  "simulate",
                  "--devices",
                  String.valueOf(devices),
                  "--broker",
                  broker.url(),
                  "--state-dir",
                  shared.toString(),
                  "--artifact-keys",
                  keys.toString(),
                  "--group",
                  GROUP,
                  "--heartbeat",
                  "PT0.3S");
            },
            "simulated-devices");
    simulator.start();
  }

  /** What the simulator printed so far. */
  public String devicesOutput() {
    return devicesOut.toString();
  }

  /** Waits for a replica to take the lease; returns its fence. */
  public LeaderLease.Fence awaitLeader() {
    await().atMost(Duration.ofSeconds(60)).until(() -> lease.current().holder() != null);
    return lease.current();
  }

  /** The replica process that holds {@code fence} (holder names are {@code pid@host}). */
  public JvmProcess holding(LeaderLease.Fence fence) {
    return replicas.stream()
        .filter(p -> fence.holder().startsWith(p.pid() + "@"))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Waits, within {@link #TAKEOVER_BOUND}, until another replica holds the lease under a newer
   * epoch than {@code before}; returns the seconds since {@code killedAtNanos}.
   */
  public double awaitTakeover(LeaderLease.Fence before, long killedAtNanos) {
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
    return (System.nanoTime() - killedAtNanos) / 1e9;
  }

  /** Prints the survivors' log lines that contain any of {@code markers} (who led, what it got). */
  public void printReplicaLines(JvmProcess except, String... markers) throws IOException {
    for (JvmProcess p : replicas) {
      if (p != except) {
        for (String line : Files.readAllLines(p.log())) {
          for (String m : markers) {
            if (line.contains(m)) {
              System.out.println("replica " + p.pid() + ": " + line);
              break;
            }
          }
        }
      }
    }
  }

  /** Waits until every device of the group reports {@code mlp@version} to the fleet state. */
  public void awaitEveryDeviceOn(PostgresFleetState state, String version) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(state.loadDevices().stream().filter(d -> d.groups().contains(GROUP)))
                    .extracting(d -> d.reported().get("mlp"))
                    .containsOnly(version)
                    .hasSize(devices));
  }

  /** Waits until every simulated device is registered in the fleet state. */
  public void awaitDevicesRegistered(PostgresFleetState state) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                state.loadDevices().stream().filter(d -> d.groups().contains(GROUP)).count()
                    == devices);
  }

  @Override
  public void close() throws Exception {
    try {
      if (simulator != null) {
        simulator.interrupt();
        simulator.join();
      }
      for (JvmProcess p : replicas) {
        p.close();
      }
      lease.close();
    } finally {
      try {
        broker.close();
      } finally {
        pg.close();
      }
    }
  }
}
