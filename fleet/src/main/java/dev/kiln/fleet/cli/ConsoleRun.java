package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.DeploymentState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Function;

/** Follows a deployment on a running in-process console until it ends, printing each change. */
final class ConsoleRun {
  /** Devices listed with their reasons at the end; {@code kiln fleet status ID} shows them all. */
  static final int MAX_LISTED = 20;

  private ConsoleRun() {}

  static DeploymentView follow(FleetConsole console, String id, Duration max, PrintWriter out)
      throws InterruptedException {
    return follow(console::deployment, id, max, out);
  }

  /** As above, reading the deployment through {@code look} (a console, or the shared state). */
  static DeploymentView follow(
      Function<String, DeploymentView> look, String id, Duration max, PrintWriter out)
      throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    String last = "";
    DeploymentView v = look.apply(id);
    while (!v.state().terminal() && System.nanoTime() < end) {
      String line = v.state() + " " + v.counts() + (v.reason() == null ? "" : ": " + v.reason());
      if (!line.equals(last)) {
        out.println(id + " " + line);
        out.flush();
        last = line;
      }
      Thread.sleep(500);
      v = look.apply(id);
    }
    out.println(id + " " + v.state() + (v.reason() == null ? "" : ": " + v.reason()));
    if (v.state().terminal() && v.state() != DeploymentState.SUCCEEDED) {
      out.print(Views.leftBehind(v, MAX_LISTED));
    }
    return v;
  }

  /**
   * 0 when the deployment ended as asked; a partial rollout has its own number (14), so a script
   * that tolerates stragglers can tell it from one that reached nobody (1).
   */
  static int exit(DeploymentView v, DeploymentState wanted) {
    if (v.state() == wanted) {
      return FleetExit.OK;
    }
    return v.state() == DeploymentState.PARTIALLY_SUCCEEDED
        ? FleetExit.PARTIALLY_SUCCEEDED
        : FleetExit.NOT_SUCCEEDED;
  }
}
