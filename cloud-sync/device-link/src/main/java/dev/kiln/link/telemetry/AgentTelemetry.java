package dev.kiln.link.telemetry;

import dev.kiln.link.protocol.ModelState;
import java.util.List;
import java.util.Map;

/**
 * What the agent reports in each heartbeat; supplied on the heartbeat thread, so computing it must
 * be cheap and thread-safe.
 *
 * @param metrics free-form numeric metrics, e.g. {@code inference.p50_ms}, {@code requests.total}
 */
public record AgentTelemetry(
    String agentVersion, List<ModelState> models, Map<String, Double> metrics) {

  public AgentTelemetry {
    models = models == null ? List.of() : List.copyOf(models);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  public static AgentTelemetry empty(String agentVersion) {
    return new AgentTelemetry(agentVersion, List.of(), Map.of());
  }
}
