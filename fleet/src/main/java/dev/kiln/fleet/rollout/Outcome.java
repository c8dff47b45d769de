package dev.kiln.fleet.rollout;

import dev.kiln.fleet.rollout.DeviceRollout.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * How a rollout whose phases have landed ends, and the reason that says so: SUCCEEDED only when
 * every target runs the new version, PARTIALLY_SUCCEEDED when some do, FAILED when none does. A
 * refusal does not trip the health gate (the device was never changed), but it is not a success
 * either: the reason names each device left behind with its status, code and message.
 */
final class Outcome {
  /** Devices named in a reason; the rest are counted (the CLI and status list them all). */
  static final int MAX_NAMED = 5;

  private Outcome() {}

  /** The transition that ends a deployment whose last phase landed. */
  static Transition of(Deployment d) {
    int active = active(d);
    if (active == 0) {
      return Transition.FAIL;
    }
    return active == d.devices().size() ? Transition.COMPLETE : Transition.COMPLETE_PARTIALLY;
  }

  /**
   * {@code mlp@2 on {ACTIVE=10}} on success; otherwise how many run it and why the others do not,
   * e.g. {@code mlp@2 active on 9 of 10 devices; not active: d3 REFUSED INCOMPATIBLE_ARTIFACT:
   * ...}.
   */
  static String describe(Deployment d) {
    int active = active(d);
    int total = d.devices().size();
    if (active == total) {
      return d.artifact().label() + " on " + d.counts();
    }
    String head =
        active == 0
            ? d.artifact().label() + " is active on none of " + total + " devices"
            : d.artifact().label() + " active on " + active + " of " + total + " devices";
    return head + "; not active: " + leftBehind(d);
  }

  /** Whether every target is now active: a partial rollout's stragglers have converged. */
  static boolean converged(Deployment d) {
    return d.state() == DeploymentState.PARTIALLY_SUCCEEDED && active(d) == d.devices().size();
  }

  /** The phase's devices that failed to activate, with their codes, for a failed gate's reason. */
  static String failures(List<DeviceRollout> phase) {
    return named(phase.stream().filter(r -> r.status() == Status.FAILED).toList());
  }

  private static String leftBehind(Deployment d) {
    List<DeviceRollout> reached = new ArrayList<>();
    int unreached = 0;
    for (DeviceRollout r : d.devices().values()) {
      if (r.phase() > d.phase()) {
        unreached++;
      } else if (r.status() != Status.ACTIVE) {
        reached.add(r);
      }
    }
    return named(reached)
        + (unreached > 0 ? "; " + unreached + " in later phases not reached" : "");
  }

  private static String named(List<DeviceRollout> rows) {
    List<String> named = new ArrayList<>();
    for (DeviceRollout r : rows.subList(0, Math.min(MAX_NAMED, rows.size()))) {
      // A PENDING row of a phase that ran is one that was offline throughout.
      String why =
          r.status() == Status.PENDING
              ? "PENDING: offline; converges when it returns"
              : r.describe();
      named.add(r.deviceId() + " " + why);
    }
    int more = rows.size() - named.size();
    return String.join("; ", named) + (more > 0 ? "; and " + more + " more" : "");
  }

  private static int active(Deployment d) {
    return (int) d.devices().values().stream().filter(r -> r.status() == Status.ACTIVE).count();
  }
}
