package dev.kiln.bench.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.simulate.FleetSimulator;
import dev.kiln.json.JsonMappers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Rolls a version out to N simulated devices through Mosquitto on loopback and measures the
 * console: time until it sees every device online (birth and info), time of an all-at-once and of a
 * canary rollout until SUCCEEDED, and its memory and threads. Each size runs in a JVM of its own
 * ({@link FleetSizeRun}: the console, with Mosquitto and the simulator as child processes), and the
 * devices in another ({@link SimulatorMain}, multiplexed over shared connections), so the console's
 * JVM holds only the console and the loop that drives it; its footprint before the console started
 * is reported beside it as the baseline.
 */
public final class FleetRolloutBench {
  static final String GROUP = "bench";
  static final String CANARY = "canary:10:5s";

  /** Small enough that the rollout measures commands and replies, not bulk transfer: 1 chunk. */
  static final int ARTIFACT_BYTES = Integer.getInteger("kiln.bench.artifactBytes", 16 * 1024);

  static final int DEVICES_PER_CONNECTION =
      Integer.getInteger(
          "kiln.bench.devicesPerConnection", FleetSimulator.DEFAULT_DEVICES_PER_CONNECTION);
  static final int WORK_THREADS =
      Integer.getInteger("kiln.bench.simThreads", FleetSimulator.DEFAULT_WORK_THREADS);

  /** The agent's default heartbeat interval. */
  static final long HEARTBEAT_SECONDS = Long.getLong("kiln.bench.heartbeatSeconds", 10);

  static final Duration ROLLOUT_WAIT = Duration.ofMinutes(20);

  static final ObjectMapper JSON = JsonMappers.plain();

  /** One rollout: how long until its state was terminal, and the CPU each process spent on it. */
  public record Rollout(
      String strategy,
      DeploymentState state,
      String reason,
      double seconds,
      int active,
      double consoleCpu,
      double simulatorCpu,
      double brokerCpu) {
    public double devicesPerSecond() {
      return active / seconds;
    }
  }

  /**
   * One fleet size. {@code baseline} is this JVM before the console started; {@code console} after
   * both rollouts, with the simulator and the broker beside it.
   */
  public record Run(
      String store,
      int devices,
      int connections,
      double onlineSeconds,
      Rollout allAtOnce,
      Rollout canary,
      double baselineHeapMiB,
      ProcStats baseline,
      double consoleHeapMiB,
      ProcStats console,
      ProcStats simulator,
      ProcStats broker) {}

  /** Where the console keeps its state in a run. */
  public enum Store {
    /** JSON files in the state dir, the embedded default. */
    FILES,
    /** A real PostgreSQL server (testkit, fsync on) started for the run, one leader. */
    POSTGRESQL;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * {@code [DEVICES...] [--store files|postgresql|both]}: the sizes (default 1000 10000) and the
   * stores to run each size on (default files).
   */
  public record Args(List<Integer> sizes, List<Store> stores) {
    public static Args parse(List<String> args) {
      List<Integer> sizes = new ArrayList<>();
      List<Store> stores = List.of(Store.FILES);
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--store") && i + 1 < args.size()) {
          String s = args.get(++i);
          stores =
              s.equals("both")
                  ? List.of(Store.FILES, Store.POSTGRESQL)
                  : List.of(Store.valueOf(s.toUpperCase(java.util.Locale.ROOT)));
        } else {
          sizes.add(Integer.valueOf(a));
        }
      }
      return new Args(sizes.isEmpty() ? List.of(1000, 10000) : sizes, stores);
    }
  }

  private FleetRolloutBench() {}

  /**
   * Runs each size on each store in a fresh JVM ({@link FleetSizeRun}), so one run's garbage, grown
   * heap and JIT warm-up do not show in the next one's console figures.
   */
  public static List<Run> run(Args args) throws Exception {
    List<Run> runs = new ArrayList<>();
    for (int n : args.sizes()) {
      for (Store store : args.stores()) {
        runs.add(runInOwnJvm(n, store));
        System.err.printf("fleet-rollout: %d devices on %s done%n", n, store.label());
      }
    }
    return runs;
  }

  private static Run runInOwnJvm(int n, Store store) throws IOException, InterruptedException {
    Process p =
        ChildJvm.launcher(FleetSizeRun.class, List.of(String.valueOf(n), store.name()))
            .stdout(ProcessBuilder.Redirect.PIPE)
            .stderr(ProcessBuilder.Redirect.INHERIT)
            .start()
            .process();
    Run run = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(FleetSizeRun.RESULT)) {
          run = JSON.readValue(line.substring(FleetSizeRun.RESULT.length()), Run.class);
        }
      }
    }
    int exit = p.waitFor();
    if (run == null) {
      throw new IllegalStateException(
          "the " + n + "-device run exited with " + exit + " and no result; see its output above");
    }
    return run;
  }
}
