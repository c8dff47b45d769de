package dev.kiln.fleet.simulate;

import dev.kiln.link.protocol.HealthMetrics;
import dev.kiln.link.protocol.Heartbeat;
import dev.kiln.link.protocol.ModelState;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A simulated device's heartbeat: a {@link ModelState} per slot ({@code model} is the primary,
 * {@code model#variant} the others) and the two metrics the console's health gates read, from the
 * {@link SimBehavior} of the versions it runs (the worst of them, as one bad slot makes a device
 * unhealthy).
 */
final class SimHeartbeat {
  private SimHeartbeat() {}

  static Heartbeat of(
      String deviceId, String agentVersion, Map<String, String> active, SimBehavior behavior) {
    List<ModelState> models = new ArrayList<>();
    double errors = 0;
    double p95 = 0;
    for (var e : active.entrySet()) {
      String[] slot = Slot.splitKey(e.getKey());
      models.add(new ModelState(slot[0], e.getValue(), slot[1], "active"));
      errors = Math.max(errors, behavior.errorRate(e.getValue()));
      p95 = Math.max(p95, behavior.p95Ms(e.getValue()));
    }
    return new Heartbeat(
        ProtocolJson.SCHEMA_VERSION,
        UUID.randomUUID().toString(),
        deviceId,
        System.currentTimeMillis(),
        0,
        agentVersion,
        models,
        Map.of(HealthMetrics.WINDOW.errorRate(), errors, HealthMetrics.WINDOW.p95Ms(), p95),
        null);
  }
}
