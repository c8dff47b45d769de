package dev.kiln.agent.serving.autoscale;

import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.serving.ModelRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What autoscaling did to every version it has seen, kept across unloads: the source of {@code GET
 * /models/{name}}'s {@code autoscaling} and of the autoscaling lines in {@code /metrics}.
 */
final class ScalingStatus {
  private final Map<String, VersionScaling> versions = new ConcurrentHashMap<>();

  /** The version's figures, created on first use. */
  VersionScaling of(String key) {
    return versions.computeIfAbsent(key, k -> new VersionScaling());
  }

  boolean scaledToZero(String key) {
    VersionScaling status = versions.get(key);
    return status != null && status.scaledToZero();
  }

  /**
   * @param maxReplicas the effective maximum (after the cores cap)
   */
  Map<String, Object> describe(String model, AgentConfig.ModelAutoscaling spec, int maxReplicas) {
    Map<String, Object> out = new TreeMap<>();
    out.put("minReplicas", spec.minReplicas());
    out.put("maxReplicas", maxReplicas);
    out.put("targetInFlightPerReplica", spec.targetInFlightPerReplica());
    out.put("scaleOutCooldownS", spec.scaleOutCooldownS());
    out.put("scaleInCooldownS", spec.scaleInCooldownS());
    if (spec.minReplicas() == 0) {
      out.put("idleSeconds", spec.idleSeconds());
      out.put("coldStartTimeoutS", spec.coldStartTimeoutS());
    }
    Map<String, VersionScaling.Snapshot> byVersion = new TreeMap<>();
    String prefix = ModelRegistry.key(model, "");
    versions.forEach(
        (key, status) -> {
          if (key.startsWith(prefix)) {
            byVersion.put(key.substring(prefix.length()), status.snapshot());
          }
        });
    out.put("versions", byVersion);
    return out;
  }

  String prometheus() {
    Map<String, VersionScaling.Snapshot> byKey = new TreeMap<>();
    versions.forEach((key, status) -> byKey.put(key, status.snapshot()));
    return AutoscalingMetrics.render(byKey);
  }
}
