package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.ArtifactRefs;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.Gates;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.FleetState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs the console in this process, starts the deployment and follows it to its end (or for {@code
 * --wait}); a deployment left running resumes whenever a console runs on the state dir.
 */
@Command(name = "deploy", description = "Roll an artifact out to devices.")
public final class DeployCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Mixin ApiOptions api;
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "ARTIFACT",
      arity = "1..*",
      description =
          "The .kiln archive to deploy; for bandit:ARMS, ARMS - 1 of them (versions of one model)")
  List<Path> artifacts;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Targets targets;

  @Option(
      names = "--strategy",
      defaultValue = "all-at-once",
      description =
          "all-at-once | rolling:BATCH | canary:PERCENT:BAKE | blue-green | ab:W1,W2 | shadow"
              + " | bandit:ARMS:DURATION. Default: ${DEFAULT-VALUE}")
  String strategy;

  @Option(
      names = "--max-error-rate",
      defaultValue = "0.05",
      description = "Health gate. Default: ${DEFAULT-VALUE}")
  double maxErrorRate;

  @Option(
      names = "--max-p95-ratio",
      defaultValue = "1.5",
      description = "Health gate: new p95 / previous p95. Default: ${DEFAULT-VALUE}")
  double maxP95Ratio;

  @Option(
      names = "--gate",
      paramLabel = "GATE",
      description =
          "More gates for the bake, repeatable: accuracy:MARGIN[:MIN_LABELLED[:WAIT]] (the new"
              + " version's field accuracy may fall at most MARGIN below the old one's, each over at"
              + " least MIN_LABELLED labels, default 200; WAIT after the bake for missing labels,"
              + " default 30m) | drift (a drift alert for the new version fails the bake)")
  List<String> gates;

  @Option(
      names = "--wait",
      defaultValue = "PT2H",
      description = "How long to follow it (ISO-8601). Default: ${DEFAULT-VALUE}")
  Duration wait;

  /** Exactly one way to pick devices. */
  static final class Targets {
    @Option(names = "--to", split = ",", paramLabel = "DEVICE", description = "Device ids")
    List<String> devices;

    @Option(names = "--group", paramLabel = "G", description = "Every device in group G")
    String group;

    @Option(names = "--all", description = "Every known device")
    boolean all;

    TargetSelector selector() {
      return devices != null
          ? TargetSelector.devices(devices)
          : group != null ? TargetSelector.group(group) : TargetSelector.everyDevice();
    }
  }

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          Strategy.parse(strategy).requireArtifacts(artifacts.size());
          GateConfig gate = Gates.apply(new GateConfig(maxErrorRate, maxP95Ratio, 0.0, 1), gates);
          List<ArtifactRef> refs = new ArrayList<>();
          for (Path artifact : artifacts) {
            refs.add(ArtifactRefs.read(artifact));
          }
          ServiceApi service = api.connect(options);
          if (service != null) {
            return ApiCommands.deploy(
                service,
                artifacts,
                targets.selector(),
                strategy,
                maxErrorRate,
                maxP95Ratio,
                gates == null ? List.of() : gates,
                wait,
                out);
          }
          if (options.postgres() != null) {
            return queued(refs, gate, out);
          }
          try (FleetConsole console = new FleetConsole(options.config(out))) {
            console.start();
            Devices.awaitKnown(console, Duration.ofSeconds(3));
            Devices.awaitModels(console, Duration.ofSeconds(15));
            String id = console.deploy(refs, targets.selector(), strategy, gate);
            out.println(
                "deployment "
                    + id
                    + ": "
                    + String.join(", ", refs.stream().map(ArtifactRef::label).toList())
                    + " to "
                    + targets.selector().describe()
                    + " with "
                    + strategy
                    + (gates == null || gates.isEmpty()
                        ? ""
                        : ", gates " + String.join(" ", gates)));
            DeploymentView v = ConsoleRun.follow(console, id, wait, out);
            return ConsoleRun.exit(v, DeploymentState.SUCCEEDED);
          }
        });
  }

  /** Beside console replicas: queue the deployment for the leader and follow it. */
  private int queued(List<ArtifactRef> refs, GateConfig gate, java.io.PrintWriter out)
      throws InterruptedException {
    String id = FleetConsole.newDeploymentId();
    try (FleetState state = options.reader()) {
      out.println(
          "deployment "
              + id
              + ": "
              + String.join(", ", refs.stream().map(ArtifactRef::label).toList())
              + " to "
              + targets.selector().describe()
              + " with "
              + strategy
              + " (queued for the leading console on "
              + options.postgres()
              + ")");
      out.flush();
      ConsoleRequest request =
          ConsoleRequest.deploy(
              id, refs, targets.selector(), strategy, gate, System.currentTimeMillis());
      DeploymentView v = QueuedRun.run(state, request, x -> true, wait, out);
      return ConsoleRun.exit(v, DeploymentState.SUCCEEDED);
    }
  }
}
