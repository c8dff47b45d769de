package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.DeploymentState;
import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.FleetState;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Sends a deployment's devices back to their previous version and follows it to the end. */
@Command(name = "rollback", description = "Roll a deployment back to the previous version.")
public final class RollbackCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Mixin ApiOptions api;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DEPLOYMENT", description = "Deployment id")
  String id;

  @Option(
      names = "--wait",
      defaultValue = "PT30M",
      description = "How long to follow it. Default: ${DEFAULT-VALUE}")
  Duration wait;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          ServiceApi service = api.connect(options);
          if (service != null) {
            return ApiCommands.change(service, id, "rollback", "ROLLED_BACK", wait, out);
          }
          if (options.postgres() != null) {
            try (FleetState state = options.reader()) {
              ConsoleRequest rollback =
                  ConsoleRequest.about(
                      "rollback-" + UUID.randomUUID(),
                      ConsoleRequest.Kind.ROLLBACK,
                      id,
                      System.currentTimeMillis());
              return ConsoleRun.exit(
                  QueuedRun.run(
                      state,
                      rollback,
                      x -> x.state() == DeploymentState.ROLLING_BACK || x.state().terminal(),
                      wait,
                      out),
                  DeploymentState.ROLLED_BACK);
            }
          }
          try (FleetConsole console = new FleetConsole(options.config(out))) {
            console.start();
            Devices.awaitKnown(console, Duration.ofSeconds(3));
            Devices.awaitModels(console, Duration.ofSeconds(15));
            console.rollback(id);
            return ConsoleRun.exit(
                ConsoleRun.follow(console, id, wait, out), DeploymentState.ROLLED_BACK);
          }
        });
  }
}
