package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.FleetConsole;
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
          try (FleetConsole console = new FleetConsole(options.config(out))) {
            console.cancel(id);
            out.println(id + " " + console.deployment(id).state());
            return FleetExit.OK;
          }
        });
  }
}
