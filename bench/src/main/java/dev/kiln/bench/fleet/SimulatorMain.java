package dev.kiln.bench.fleet;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.fleet.simulate.FleetSimulator;
import dev.kiln.fleet.simulate.SimBehavior;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The simulated fleet of the rollout benchmark, in a JVM of its own so the console's memory is
 * measured alone: devices {@code bench-1..N} in group {@code bench}, running {@code mlp} version 1.
 * Runs until its standard input closes (the benchmark closes it, and so does the benchmark's
 * death), then stops cleanly, so every device says goodbye.
 *
 * <p>Arguments: {@code BROKER_URL WORK_DIR DEVICE_DATA_DIR DEVICES DEVICES_PER_CONNECTION
 * HEARTBEAT_SECONDS WORK_THREADS}; {@code WORK_DIR} holds {@code console.pub} and the artifact keys
 * in {@code keys/}.
 */
public final class SimulatorMain {
  private SimulatorMain() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[1]);
    PublicKey console = Ed25519Keys.readPublic(work.resolve("console.pub"));
    FleetSimulator.Spec spec =
        new FleetSimulator.Spec(
            args[0],
            "bench",
            Integer.parseInt(args[3]),
            "linux-x86_64",
            List.of(FleetRolloutBench.GROUP),
            Path.of(args[2]),
            Map.of(Ed25519Keys.keyId(console), console),
            TrustedKeys.load(work.resolve("keys")),
            Map.of("mlp", "1"),
            SimBehavior.healthy(),
            Duration.ofSeconds(Long.parseLong(args[5])),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[6]));
    try (FleetSimulator sim = FleetSimulator.start(spec)) {
      while (System.in.read() >= 0) {
        // Nothing is sent; end of input is the signal to stop.
      }
    }
  }
}
