package dev.kiln.bench.fleet;

import static dev.kiln.bench.fleet.FleetRolloutBench.ARTIFACT_BYTES;
import static dev.kiln.bench.fleet.FleetRolloutBench.CANARY;
import static dev.kiln.bench.fleet.FleetRolloutBench.DEVICES_PER_CONNECTION;
import static dev.kiln.bench.fleet.FleetRolloutBench.GROUP;
import static dev.kiln.bench.fleet.FleetRolloutBench.HEARTBEAT_SECONDS;
import static dev.kiln.bench.fleet.FleetRolloutBench.JSON;
import static dev.kiln.bench.fleet.FleetRolloutBench.ROLLOUT_WAIT;
import static dev.kiln.bench.fleet.FleetRolloutBench.WORK_THREADS;

import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.bench.fleet.FleetRolloutBench.Rollout;
import dev.kiln.bench.fleet.FleetRolloutBench.Run;
import dev.kiln.bench.fleet.FleetRolloutBench.Store;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.simulate.StandInArtifacts;
import dev.kiln.testkit.Mosquitto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;

/**
 * One fleet size of {@link FleetRolloutBench}, in its own JVM: Mosquitto, the simulator process and
 * a console here, each with fresh state. Prints its {@link Run} as one JSON line after {@link
 * #RESULT} on stdout (logs go to stderr).
 */
public final class FleetSizeRun {
  static final String RESULT = "fleet-rollout-result ";

  private FleetSizeRun() {}

  public static void main(String[] args) throws Exception {
    Store store = args.length > 1 ? Store.valueOf(args[1]) : Store.FILES;
    Run run = run(Integer.parseInt(args[0]), store);
    System.out.println(RESULT + JSON.writeValueAsString(run));
  }

  static Run run(int n, Store store) throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-fleet-" + n).toAbsolutePath();
    Path devices = simulatorDataDir(n);
    try {
      return run(n, store, work, devices);
    } finally {
      ArtifactWriter.deleteTree(devices);
      ArtifactWriter.deleteTree(work);
    }
  }

  /**
   * Where the simulated devices keep their files: on tmpfs (/dev/shm) unless {@code
   * kiln.bench.simDataDir} names another place. Each device fsyncs its replay window and download
   * state, as an agent does on its own storage; 10,000 devices doing it on one VM disk would make
   * the benchmark measure that disk, not the console.
   */
  private static Path simulatorDataDir(int n) throws IOException {
    String chosen = System.getProperty("kiln.bench.simDataDir");
    Path shm = Path.of("/dev/shm");
    Path parent =
        chosen != null
            ? Files.createDirectories(Path.of(chosen))
            : Files.isDirectory(shm) && Files.isWritable(shm)
                ? shm
                : Path.of(System.getProperty("java.io.tmpdir"));
    return Files.createTempDirectory(parent, "kiln-bench-devices-" + n).toAbsolutePath();
  }

  private static Run run(int n, Store store, Path work, Path devices) throws Exception {
    KeyPair consoleKey = Ed25519Keys.generate();
    Ed25519Keys.writePair(consoleKey, work.resolve("console.key"), work.resolve("console.pub"));
    KeyPair artifactKey = Ed25519Keys.generate();
    Path keys = Files.createDirectories(work.resolve("keys"));
    Ed25519Keys.writePair(artifactKey, work.resolve("artifact.key"), keys.resolve("artifact.pub"));
    Path arts = work.resolve("artifacts");
    ArtifactRef v2 =
        ArtifactRefs.read(
            StandInArtifacts.write(
                arts, "mlp", "2", "linux-x86_64", "x86_64", ARTIFACT_BYTES, artifactKey));
    ArtifactRef v3 =
        ArtifactRefs.read(
            StandInArtifacts.write(
                arts, "mlp", "3", "linux-x86_64", "x86_64", ARTIFACT_BYTES, artifactKey));

    double baselineHeap = ProcStats.heapAfterGcMiB();
    ProcStats baseline = ProcStats.self();
    try (ConsoleState state = ConsoleState.open(store, work);
        Mosquitto broker = Mosquitto.startInMemory(work.resolve("mosquitto"));
        FleetConsole console =
            new FleetConsole(consoleConfig(broker.url(), work, consoleKey), state.open())) {
      console.start();
      long launched = System.nanoTime();
      try (SimulatorProcess sim =
          SimulatorProcess.start(
              broker.url(),
              work,
              devices,
              n,
              DEVICES_PER_CONNECTION,
              HEARTBEAT_SECONDS,
              WORK_THREADS,
              work.resolve("simulator.log"))) {
        FleetWatch watch = new FleetWatch(console, sim, broker.pid());
        double online = watch.awaitOnline(GROUP, n, launched, onlineWait(n));
        Rollout all = watch.rollout(v2, TargetSelector.group(GROUP), "all-at-once", ROLLOUT_WAIT);
        Rollout canary = watch.rollout(v3, TargetSelector.group(GROUP), CANARY, ROLLOUT_WAIT);
        double heap = ProcStats.heapAfterGcMiB();
        return new Run(
            store.label(),
            n,
            (n + DEVICES_PER_CONNECTION - 1) / DEVICES_PER_CONNECTION,
            online,
            all,
            canary,
            baselineHeap,
            baseline,
            heap,
            ProcStats.self(),
            ProcStats.of(sim.pid()),
            ProcStats.of(broker.pid()));
      }
    }
  }

  /**
   * The console's defaults, except a reply timeout of two minutes: with thousands of devices
   * answering at once, the default 30 s would re-send commands that are merely queued, and the
   * re-sends would add to the load being measured.
   */
  private static ConsoleConfig consoleConfig(String brokerUrl, Path work, KeyPair key) {
    return ConsoleConfig.defaults(brokerUrl, work.resolve("console"), key)
        .withTimeouts(ROLLOUT_WAIT, new RolloutEngine.Settings(120_000, 3));
  }

  /** Generous: a second per 25 devices, at least two minutes. */
  private static Duration onlineWait(int n) {
    return Duration.ofSeconds(Math.max(120, n / 25));
  }
}
