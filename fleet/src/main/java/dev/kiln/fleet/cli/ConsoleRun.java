package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.DeploymentState;
import java.io.PrintWriter;
import java.time.Duration;

/** Follows a deployment on a running in-process console until it ends, printing each change. */
final class ConsoleRun {
  private ConsoleRun() {}

  static DeploymentView follow(FleetConsole console, String id, Duration max, PrintWriter out)
      throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    String last = "";
    DeploymentView v = console.deployment(id);
    while (!v.state().terminal() && System.nanoTime() < end) {
      String line = v.state() + " " + v.counts() + (v.reason() == null ? "" : ": " + v.reason());
      if (!line.equals(last)) {
        out.println(id + " " + line);
        out.flush();
        last = line;
      }
      Thread.sleep(500);
      v = console.deployment(id);
    }
    out.println(id + " " + v.state() + (v.reason() == null ? "" : ": " + v.reason()));
    return v;
  }

  static int exit(DeploymentView v, DeploymentState wanted) {
    return v.state() == wanted ? FleetExit.OK : FleetExit.NOT_SUCCEEDED;
  }
}
