package dev.kiln.cli.fleet;

import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.cli.ConsoleOptions;
import dev.kiln.fleet.cli.FleetExit;
import dev.kiln.fleet.simulate.FleetSimulator;
import dev.kiln.fleet.simulate.SimBehavior;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts N simulated devices against the broker until stopped or for {@code --duration}, many to an
 * MQTT connection so one process can simulate a large fleet.
 */
@Command(
    name = "simulate",
    description = {
      "Run N simulated devices that obey the console: retained birth and info, heartbeats, signed"
          + " commands, chunked artifact download and verification. Devices share MQTT"
          + " connections (--devices-per-connection) and a small thread pool, so one process"
          + " simulates thousands.",
      "A shared connection has one last will, so if it is lost uncleanly its devices are not"
          + " marked offline; a clean stop (Ctrl-C, --duration) marks every device offline."
    })
public final class SimulateCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Spec CommandSpec spec;

  @Option(names = "--devices", required = true, paramLabel = "N", description = "How many devices")
  int devices;

  @Option(
      names = "--devices-per-connection",
      defaultValue = "" + FleetSimulator.DEFAULT_DEVICES_PER_CONNECTION,
      paramLabel = "M",
      description =
          "Devices sharing one MQTT connection; 1 gives each its own connection and last will,"
              + " as agents have. Default: ${DEFAULT-VALUE}")
  int devicesPerConnection;

  @Option(
      names = "--profile",
      defaultValue = "linux-x86_64",
      description = "Device profile. Default: ${DEFAULT-VALUE}")
  String profile;

  @Option(
      names = "--group",
      defaultValue = "sim",
      description = "Group of every device. Default: ${DEFAULT-VALUE}")
  String group;

  @Option(
      names = "--prefix",
      defaultValue = "sim",
      description = "Device id prefix. Default: ${DEFAULT-VALUE}")
  String prefix;

  @Option(
      names = "--model",
      defaultValue = "mlp=1",
      description = "MODEL=VERSION running at start. Default: ${DEFAULT-VALUE}")
  Map<String, String> models;

  @Option(
      names = "--artifact-keys",
      required = true,
      paramLabel = "DIR",
      description = "Directory of *.pub keys trusted for artifact signatures")
  Path artifactKeys;

  @Option(names = "--fail-versions", split = ",", description = "Versions whose activation fails")
  List<String> failVersions = List.of();

  @Option(
      names = "--error-versions",
      split = ",",
      description = "Versions that report a 50%% error rate")
  List<String> errorVersions = List.of();

  @Option(
      names = "--slow-versions",
      split = ",",
      description = "Versions that report 4x p95 latency")
  List<String> slowVersions = List.of();

  @Option(
      names = "--heartbeat",
      defaultValue = "PT5S",
      description = "Heartbeat interval. Default: ${DEFAULT-VALUE}")
  Duration heartbeat;

  @Option(
      names = "--data-dir",
      description = "Where devices keep downloads. Default: STATE-DIR/simulated")
  Path dataDir;

  @Option(
      names = "--duration",
      description = "Stop after this long (ISO-8601); default: until Ctrl-C")
  Duration duration;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          PublicKey console = Ed25519Keys.readPublic(ConsoleOptions.publicFile(options.keyFile()));
          SimBehavior behavior =
              new SimBehavior(
                  new HashSet<>(failVersions),
                  new HashSet<>(errorVersions),
                  new HashSet<>(slowVersions));
          FleetSimulator.Spec simSpec;
          try {
            simSpec =
                new FleetSimulator.Spec(
                    options.broker(),
                    prefix,
                    devices,
                    profile,
                    List.of(group),
                    dataDir != null ? dataDir : options.stateDir().resolve("simulated"),
                    Map.of(Ed25519Keys.keyId(console), console),
                    TrustedKeys.load(artifactKeys),
                    models,
                    behavior,
                    heartbeat,
                    devicesPerConnection,
                    FleetSimulator.DEFAULT_WORK_THREADS);
          } catch (IllegalArgumentException e) {
            throw new FleetException(FleetErrorCode.CONFIG_INVALID, e.getMessage());
          }
          try (FleetSimulator sim = FleetSimulator.start(simSpec)) {
            long started = System.nanoTime();
            if (sim.awaitConnected(Duration.ofMinutes(5))) {
              out.printf(
                  "%d devices connected over %d MQTT connections in %d ms%n",
                  devices, sim.connections(), (System.nanoTime() - started) / 1_000_000);
            } else {
              out.printf(
                  "only %d of %d devices connected after 5 minutes; still trying%n",
                  sim.connected(), devices);
            }
            out.flush();
            if (duration != null) {
              Thread.sleep(duration.toMillis());
            } else {
              new java.util.concurrent.CountDownLatch(1).await();
            }
          }
          return FleetExit.OK;
        });
  }
}
