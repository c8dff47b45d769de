package dev.kiln.fleet.cli;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.state.FleetStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Reads deployments from the console's state directory; works while a console runs. */
@Command(name = "status", description = "Show deployments, or one deployment in detail.")
public final class StatusCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "DEPLOYMENT", description = "Deployment id")
  String id;

  @Option(names = "--json", description = "Print JSON instead of a table")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          List<DeploymentView> views =
              new FleetStore(options.stateDir)
                  .loadDeployments().stream().map(DeploymentView::of).toList();
          if (id == null) {
            out.print(json ? Views.json(views) + "\n" : Views.deployments(views));
            return FleetExit.OK;
          }
          DeploymentView v =
              views.stream()
                  .filter(x -> x.id().equals(id))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new FleetException(
                              FleetErrorCode.NOT_FOUND,
                              "no deployment "
                                  + id
                                  + " in "
                                  + options.stateDir
                                  + "; list them with kiln fleet status"));
          out.print(json ? Views.json(v) + "\n" : Views.deployment(v));
          return FleetExit.OK;
        });
  }
}
