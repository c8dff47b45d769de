package dev.kiln.fleet.state;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's view of one device: what it reported (status, heartbeat, replies) next to what the
 * console wants it to run. Immutable; the registry swaps whole records.
 *
 * @param reported slot ({@code model} or {@code model#variant}) to version, from heartbeats
 * @param desired slot to what the console wants there
 * @param connectedAt the connection time of the latest status message, to order birth and will
 * @param metricsAt device time of the heartbeat {@code metrics} came from
 * @param weights slot to its share of production traffic (0..1), where the device reports one
 */
public record DeviceRecord(
    String deviceId,
    List<String> groups,
    String profile,
    String arch,
    boolean online,
    long connectedAt,
    long lastSeen,
    String agentVersion,
    Map<String, String> reported,
    Map<String, DesiredModel> desired,
    Map<String, Double> metrics,
    long metricsAt,
    Map<String, Double> weights) {

  public DeviceRecord {
    groups = groups == null ? List.of() : List.copyOf(groups);
    reported = reported == null ? Map.of() : Map.copyOf(reported);
    desired = desired == null ? Map.of() : Map.copyOf(desired);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    weights = weights == null ? Map.of() : Map.copyOf(weights);
  }

  public static DeviceRecord unknown(String deviceId) {
    return new DeviceRecord(
        deviceId, null, null, null, false, 0, 0, null, null, null, null, 0, null);
  }

  public DeviceRecord withStatus(boolean isOnline, long connected, long seen, String agent) {
    return new DeviceRecord(
        deviceId,
        groups,
        profile,
        arch,
        isOnline,
        connected,
        seen,
        agent == null ? agentVersion : agent,
        reported,
        desired,
        metrics,
        metricsAt,
        weights);
  }

  public DeviceRecord withInfo(List<String> g, String p, String a) {
    return new DeviceRecord(
        deviceId,
        g,
        p,
        a,
        online,
        connectedAt,
        lastSeen,
        agentVersion,
        reported,
        desired,
        metrics,
        metricsAt,
        weights);
  }

  public DeviceRecord withHeartbeat(
      Map<String, String> slots, Map<String, Double> shares, Map<String, Double> m, long at) {
    return new DeviceRecord(
        deviceId,
        groups,
        profile,
        arch,
        online,
        connectedAt,
        Math.max(lastSeen, at),
        agentVersion,
        slots,
        desired,
        m,
        at,
        shares);
  }

  public DeviceRecord withReported(String slot, String version) {
    Map<String, String> r = new HashMap<>(reported);
    if (version == null) {
      r.remove(slot);
    } else {
      r.put(slot, version);
    }
    return new DeviceRecord(
        deviceId,
        groups,
        profile,
        arch,
        online,
        connectedAt,
        lastSeen,
        agentVersion,
        r,
        desired,
        metrics,
        metricsAt,
        weights);
  }

  public DeviceRecord withDesired(String slot, DesiredModel want) {
    Map<String, DesiredModel> d = new HashMap<>(desired);
    d.put(slot, want);
    return new DeviceRecord(
        deviceId,
        groups,
        profile,
        arch,
        online,
        connectedAt,
        lastSeen,
        agentVersion,
        reported,
        d,
        metrics,
        metricsAt,
        weights);
  }

  /** Slots where the device does not yet run what the console wants. */
  public Map<String, DesiredModel> drift() {
    Map<String, DesiredModel> out = new HashMap<>();
    desired.forEach(
        (slot, want) -> {
          if (!java.util.Objects.equals(want.version(), reported.get(slot))) {
            out.put(slot, want);
          }
        });
    return out;
  }
}
