package dev.kiln.fleet.cli;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.console.DeploymentView;
import dev.kiln.fleet.replica.ConsoleReplica;
import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.FleetState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A request to console replicas on a shared store: queued in the fleet state, carried out by
 * whichever replica leads, and followed through the state; this process runs no console.
 */
final class QueuedRun {
  /** How long a request may wait for a leader: a failover plus a margin. */
  static final Duration PICK_UP = ConsoleReplica.LEASE.plus(ConsoleReplica.RENEW).multipliedBy(3);

  private QueuedRun() {}

  /**
   * Queues {@code request}, waits until the deployment shows that a leader took it ({@code taken}),
   * then follows it for at most {@code wait}.
   */
  static DeploymentView run(
      FleetState state,
      ConsoleRequest request,
      Predicate<DeploymentView> taken,
      Duration wait,
      PrintWriter out)
      throws InterruptedException {
    state.submit(request);
    long end = System.nanoTime() + PICK_UP.toNanos();
    while (true) {
      DeploymentView v = find(state, request.deploymentId());
      if (v != null && taken.test(v)) {
        break;
      }
      if (System.nanoTime() > end) {
        throw new FleetException(
            FleetErrorCode.BROKER_UNREACHABLE,
            "no console took request "
                + request.id()
                + " within "
                + PICK_UP.toSeconds()
                + " s; is a kiln fleet serve running on the same --store? The request stays"
                + " queued");
      }
      Thread.sleep(250);
    }
    return ConsoleRun.follow(
        id -> DeploymentView.of(state.loadDeployment(id)), request.deploymentId(), wait, out);
  }

  private static DeploymentView find(FleetState state, String id) {
    try {
      return DeploymentView.of(state.loadDeployment(id));
    } catch (FleetException e) {
      if (e.code() == FleetErrorCode.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }
}
