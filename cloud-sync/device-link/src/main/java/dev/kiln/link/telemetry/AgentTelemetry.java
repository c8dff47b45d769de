package dev.kiln.link.telemetry;

import dev.kiln.link.protocol.FieldScores;
import dev.kiln.link.protocol.ModelState;
import java.util.List;
import java.util.Map;

/**
 * What the agent reports in each heartbeat; supplied on the heartbeat thread, so computing it must
 * be cheap and thread-safe.
 *
 * @param metrics free-form numeric metrics, e.g. {@code inference.p50_ms}, {@code requests.total}
 * @param quality ground-truth scores per served version; null when the agent scored nothing
 */
public record AgentTelemetry(
    String agentVersion,
    List<ModelState> models,
    Map<String, Double> metrics,
    FieldScores quality) {

  public AgentTelemetry {
    models = models == null ? List.of() : List.copyOf(models);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  /** Telemetry without field scores. */
  public AgentTelemetry(String agentVersion, List<ModelState> models, Map<String, Double> metrics) {
    this(agentVersion, models, metrics, null);
  }

  public static AgentTelemetry empty(String agentVersion) {
    return new AgentTelemetry(agentVersion, List.of(), Map.of());
  }
}
