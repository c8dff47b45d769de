package dev.kiln.fleet.rollout;

import dev.kiln.link.protocol.HealthMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An in-memory fleet for engine tests: devices, online flags, reported versions, metrics. */
final class FakeFleet implements FleetView {
  final Map<String, Boolean> online = new LinkedHashMap<>();
  final Map<String, Map<String, String>> reported = new HashMap<>();
  final Map<String, Map<String, Double>> metrics = new HashMap<>();
  final Map<String, Long> metricsAt = new HashMap<>();

  FakeFleet devices(int n, String version) {
    for (int i = 1; i <= n; i++) {
      String id = "d" + i;
      online.put(id, true);
      reported.computeIfAbsent(id, k -> new HashMap<>()).put("mlp", version);
    }
    return this;
  }

  void heartbeat(String id, String version, double errorRate, double p95, long at) {
    reported.computeIfAbsent(id, k -> new HashMap<>()).put("mlp", version);
    metrics.put(
        id, Map.of(HealthMetrics.WINDOW.errorRate(), errorRate, HealthMetrics.WINDOW.p95Ms(), p95));
    metricsAt.put(id, at);
  }

  @Override
  public List<String> resolve(TargetSelector targets) {
    return targets.all() ? new ArrayList<>(online.keySet()) : targets.devices();
  }

  @Override
  public boolean online(String deviceId) {
    return online.getOrDefault(deviceId, false);
  }

  @Override
  public String reportedVersion(String deviceId, String slot) {
    return reported.getOrDefault(deviceId, Map.of()).get(slot);
  }

  @Override
  public Map<String, Double> metrics(String deviceId) {
    return metrics.getOrDefault(deviceId, Map.of());
  }

  @Override
  public long metricsAt(String deviceId) {
    return metricsAt.getOrDefault(deviceId, 0L);
  }
}
