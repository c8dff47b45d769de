package dev.kiln.fleet.rollout;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.util.List;

/** Which devices a deployment is for: named devices, one group, or all known devices. */
public record TargetSelector(List<String> devices, String group, boolean all) {

  public TargetSelector {
    devices = devices == null ? List.of() : List.copyOf(devices);
    int kinds = (devices.isEmpty() ? 0 : 1) + (group == null ? 0 : 1) + (all ? 1 : 0);
    if (kinds != 1) {
      throw new FleetException(
          FleetErrorCode.BAD_TARGET,
          "choose exactly one target: --to DEVICE[,DEVICE...], --group GROUP or --all");
    }
  }

  public static TargetSelector devices(List<String> ids) {
    return new TargetSelector(ids, null, false);
  }

  public static TargetSelector group(String group) {
    return new TargetSelector(null, group, false);
  }

  public static TargetSelector everyDevice() {
    return new TargetSelector(null, null, true);
  }

  public String describe() {
    return all ? "all devices" : group != null ? "group " + group : String.join(",", devices);
  }
}
