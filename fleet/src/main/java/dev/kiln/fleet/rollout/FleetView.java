package dev.kiln.fleet.rollout;

import java.util.List;
import java.util.Map;

/** What the rollout engine may know about devices; the console's device registry provides it. */
public interface FleetView {
  /** The device ids a selector matches, in a stable order. */
  List<String> resolve(TargetSelector targets);

  boolean online(String deviceId);

  /** The version a device last reported in {@code slot}, or null. */
  String reportedVersion(String deviceId, String slot);

  /** The device's latest heartbeat metrics; empty if it never sent one. */
  Map<String, Double> metrics(String deviceId);

  /** When the latest heartbeat was sent (device clock, epoch ms); 0 if never. */
  long metricsAt(String deviceId);
}
