package dev.kiln.fleet.simulate;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.testing.Mosquitto;
import dev.kiln.fleet.testing.TestArtifacts;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Time to roll a version out to N simulated devices through Mosquitto on loopback, and the
 * console's heap. The devices run in a child JVM so the console's heap is measured alone.
 *
 * <pre>
 * java -cp fleet/target/test-classes:fleet/target/classes:$(deps) \
 *   dev.kiln.fleet.simulate.RolloutBench [devices=1000] [strategy=all-at-once] [artifactBytes=300000]
 * </pre>
 */
public final class RolloutBench {
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--devices-child")) {
      child(args);
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    String strategy = args.length > 1 ? args[1] : "all-at-once";
    int bytes = args.length > 2 ? Integer.parseInt(args[2]) : 300_000;
    Path dir = Files.createTempDirectory("kiln-bench");
    KeyPair consoleKey = Ed25519Keys.generate();
    Ed25519Keys.writePair(consoleKey, dir.resolve("console.key"), dir.resolve("console.pub"));
    KeyPair artifactKey = Ed25519Keys.generate();
    Path keys = Files.createDirectories(dir.resolve("keys"));
    Ed25519Keys.writePair(artifactKey, dir.resolve("a.key"), keys.resolve("a.pub"));
    var ref =
        ArtifactRefs.read(
            TestArtifacts.write(
                Files.createDirectories(dir.resolve("art")),
                "mlp",
                "2",
                "linux-x86_64",
                "x86_64",
                bytes,
                artifactKey));

    try (Mosquitto broker = Mosquitto.start(dir.resolve("broker"))) {
      long t0 = System.nanoTime();
      Process sim =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xss256k",
                  "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                  "-cp",
                  System.getProperty("java.class.path"),
                  RolloutBench.class.getName(),
                  "--devices-child",
                  String.valueOf(n),
                  broker.url(),
                  dir.toString())
              .inheritIO()
              .start();
      ConsoleConfig cfg =
          ConsoleConfig.defaults(broker.url(), dir.resolve("console"), consoleKey)
              .withTimeouts(
                  Duration.ofMinutes(20),
                  new RolloutEngine.Settings(Long.getLong("bench.replyTimeoutMs", 120_000), 3));
      try (FleetConsole console = new FleetConsole(cfg)) {
        console.start();
        while (console.devices().stream().filter(d -> d.online() && d.profile() != null).count()
            < n) {
          Thread.sleep(200);
        }
        long known = System.nanoTime();
        System.out.printf(
            "bench: %d devices online and known to the console after %.1f s%n",
            n, (known - t0) / 1e9);
        String id =
            console.deploy(ref, TargetSelector.group("bench"), strategy, GateConfig.defaults());
        DeploymentView v = console.deployment(id);
        while (!v.state().terminal()) {
          Thread.sleep(100);
          v = console.deployment(id);
        }
        long done = System.nanoTime();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
            "bench: %s of %d-byte artifact to %d devices with %s: %s in %.1f s%n",
            ref.label(), ref.bytes(), n, strategy, v.state(), (done - known) / 1e9);
        System.out.printf("bench: device rows %s%n", v.counts());
        if (v.state() != dev.kiln.fleet.rollout.DeploymentState.SUCCEEDED) {
          System.out.printf(
              "bench: reason %s; first rows %s%n",
              v.reason(), v.devices().subList(0, Math.min(3, v.devices().size())));
        }
        System.out.printf(
            "bench: console heap after GC %.1f MiB; console threads %d%n",
            heap / 1048576.0, Thread.activeCount());
      } finally {
        sim.destroy();
        sim.waitFor();
      }
    }
  }

  private static void child(String[] args) throws Exception {
    int n = Integer.parseInt(args[1]);
    Path dir = Path.of(args[3]);
    var consolePub = Ed25519Keys.readPublic(dir.resolve("console.pub"));
    long t0 = System.nanoTime();
    FleetSimulator sim =
        FleetSimulator.start(
            new FleetSimulator.Spec(
                args[2],
                "bench",
                n,
                "linux-x86_64",
                List.of("bench"),
                dir.resolve("devices"),
                Map.of(Ed25519Keys.keyId(consolePub), consolePub),
                TrustedKeys.load(dir.resolve("keys")),
                Map.of("mlp", "1"),
                SimBehavior.healthy(),
                Duration.ofSeconds(10)));
    sim.awaitConnected(Duration.ofMinutes(10));
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    String rss =
        Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("VmRSS") || l.startsWith("Threads"))
            .toList()
            .toString();
    System.out.printf(
        "bench: simulator connected %d devices (one connection each) in %.1f s;"
            + " heap %.1f MiB; %s%n",
        n, (System.nanoTime() - t0) / 1e9, heap / 1048576.0, rss);
    Thread.sleep(Long.MAX_VALUE);
  }
}
