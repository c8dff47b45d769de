package dev.kiln.fleet.rollout;

import java.util.ArrayList;
import java.util.List;

/** Says what a deployment is waiting for, so a timeout's reason names the culprit. */
final class Waiting {
  private static final int MAX_NAMED = 5;

  private Waiting() {}

  static String describe(Deployment d, FleetView fleet) {
    return switch (d.state()) {
      case NEW -> "not yet started";
      case BAKING ->
          "baking "
              + d.currentPhase().name()
              + " without a passing health gate ("
              + "no heartbeats from updated devices, or the bake time outlasted the deadline)";
      case ROLLING_BACK -> "rolling back; waiting on " + devices(d, fleet, true);
      default ->
          "in "
              + (d.currentPhase() == null ? "?" : d.currentPhase().name())
              + "; waiting on "
              + devices(d, fleet, false);
    };
  }

  private static String devices(Deployment d, FleetView fleet, boolean all) {
    List<String> names = new ArrayList<>();
    int count = 0;
    for (DeviceRollout r : all ? List.copyOf(d.devices().values()) : d.currentPhaseDevices()) {
      boolean waiting =
          r.status().awaitingReply()
              || r.status() == DeviceRollout.Status.PENDING
              || (all && r.status() == DeviceRollout.Status.ACTIVE);
      if (waiting) {
        count++;
        if (names.size() < MAX_NAMED) {
          names.add(
              r.deviceId()
                  + " ("
                  + r.status()
                  + (fleet.online(r.deviceId()) ? "" : ", offline")
                  + ")");
        }
      }
    }
    return count == 0
        ? "nothing"
        : count + " devices: " + String.join(", ", names) + (count > names.size() ? ", ..." : "");
  }
}
