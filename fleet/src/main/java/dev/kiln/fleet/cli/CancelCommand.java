package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.FleetState;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Stops a deployment: devices not yet reached are skipped; updated ones keep the new version. */
@Command(name = "cancel", description = "Cancel a running deployment.")
public final class CancelCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Mixin ApiOptions api;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DEPLOYMENT", description = "Deployment id")
  String id;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          ServiceApi service = api.connect(options);
          if (service != null) {
            return ApiCommands.change(
                service, id, "cancel", "CANCELLED", java.time.Duration.ofMinutes(5), out);
          }
          if (options.postgres() != null) {
            try (FleetState state = options.reader()) {
              ConsoleRequest cancel =
                  ConsoleRequest.about(
                      "cancel-" + UUID.randomUUID(),
                      ConsoleRequest.Kind.CANCEL,
                      id,
                      System.currentTimeMillis());
              // The leader ends it (CANCELLED) or it ended before; either way it is then terminal.
              QueuedRun.run(state, cancel, x -> x.state().terminal(), Duration.ZERO, out);
              return FleetExit.OK;
            }
          }
          try (FleetConsole console = new FleetConsole(options.config(out))) {
            console.cancel(id);
            out.println(id + " " + console.deployment(id).state());
            return FleetExit.OK;
          }
        });
  }
}
