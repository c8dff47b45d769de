package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.state.FleetState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  @Mixin ApiOptions api;
  @Spec CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "DEPLOYMENT", description = "Deployment id")
  String id;

  @Option(names = "--json", description = "Print JSON instead of a table")
  boolean json;

  @Option(
      names = "--watch",
      description =
          "With DEPLOYMENT: follow it until it ends, a line per change (state, device statuses),"
              + " while the console that runs it (kiln fleet serve or deploy) works")
  boolean watch;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          ServiceApi service = api.connect(options);
          if (service != null) {
            return ApiCommands.status(service, id, json, watch, out);
          }
          try (FleetState store = options.reader()) {
            return show(store, out);
          }
        });
  }

  private int show(FleetState store, PrintWriter out) throws InterruptedException {
    if (id == null) {
      List<DeploymentView> views =
          store.loadDeployments().stream().map(DeploymentView::of).toList();
      out.print(json ? Views.json(views) + "\n" : Views.deployments(views));
      return FleetExit.OK;
    }
    DeploymentView v = DeploymentView.of(store.loadDeployment(id));
    if (watch) {
      watch(store, v, out);
      return FleetExit.OK;
    }
    out.print(json ? Views.json(v) + "\n" : Views.deployment(v));
    return FleetExit.OK;
  }

  /** Re-reads the deployment (written atomically by the console) until it ends. */
  private static void watch(FleetState store, DeploymentView v, PrintWriter out)
      throws InterruptedException {
    Map<String, DeviceRollout.Status> seen = new HashMap<>();
    String last = "";
    while (true) {
      String line = v.state() + " " + v.counts() + (v.reason() == null ? "" : ": " + v.reason());
      if (!line.equals(last)) {
        out.println(Instant.now() + " " + v.id() + " " + line);
        last = line;
      }
      for (DeviceRollout r : v.devices()) {
        if (r.status() != seen.put(r.deviceId(), r.status())) {
          out.println(
              "    "
                  + r.deviceId()
                  + " "
                  + r.status()
                  + (r.code() == null ? "" : " " + r.code())
                  + (r.message() == null ? "" : ": " + r.message()));
        }
      }
      out.flush();
      if (v.state().terminal()) {
        return;
      }
      Thread.sleep(500);
      v = DeploymentView.of(store.loadDeployment(v.id()));
    }
  }
}
