package dev.kiln.agent.serving.autoscale;

import java.util.Map;
import java.util.function.ToLongFunction;

/** Autoscaling's lines in {@code GET /metrics} (Prometheus text 0.0.4), per model and version. */
final class AutoscalingMetrics {
  private AutoscalingMetrics() {}

  private record Series(
      String name, String type, String help, ToLongFunction<VersionScaling.Snapshot> value) {}

  private static final Series[] SERIES = {
    new Series(
        "kiln_model_replicas",
        "gauge",
        "Replicas (engine sessions) serving the version.",
        VersionScaling.Snapshot::replicas),
    new Series(
        "kiln_model_replicas_desired",
        "gauge",
        "Replicas the autoscaler wants, counting one still loading.",
        VersionScaling.Snapshot::desiredReplicas),
    new Series(
        "kiln_model_requests_in_flight",
        "gauge",
        "Requests in the version at the last sample, waiting for a replica or running.",
        VersionScaling.Snapshot::inFlight),
    new Series(
        "kiln_model_engine_calls_peak",
        "gauge",
        "The most engine calls that ran on the version at the same time.",
        VersionScaling.Snapshot::peakConcurrentEngineCalls),
    new Series(
        "kiln_autoscaling_scale_outs_total",
        "counter",
        "Scale-out decisions carried out.",
        VersionScaling.Snapshot::scaleOuts),
    new Series(
        "kiln_autoscaling_scale_ins_total",
        "counter",
        "Scale-in decisions carried out, scale to zero included.",
        VersionScaling.Snapshot::scaleIns),
    new Series(
        "kiln_autoscaling_scale_outs_refused_total",
        "counter",
        "Scale-outs refused because the replica would exceed models.memoryBudgetMb.",
        VersionScaling.Snapshot::scaleOutsRefused),
    new Series(
        "kiln_model_cold_starts_total",
        "counter",
        "Loads after scaling to zero.",
        VersionScaling.Snapshot::coldStarts),
    new Series(
        "kiln_model_cold_start_last_ms",
        "gauge",
        "How long the last load after scaling to zero took, like SageMaker's ModelSetupTime;"
            + " -1 before the first.",
        VersionScaling.Snapshot::lastColdStartMs),
  };

  /**
   * @param byKey snapshots keyed {@code model@version}, in the order to print
   */
  static String render(Map<String, VersionScaling.Snapshot> byKey) {
    if (byKey.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (Series s : SERIES) {
      out.append("# HELP ").append(s.name()).append(' ').append(s.help()).append('\n');
      out.append("# TYPE ").append(s.name()).append(' ').append(s.type()).append('\n');
      byKey.forEach(
          (key, snapshot) -> {
            int at = key.indexOf('@');
            out.append(s.name())
                .append("{model=\"")
                .append(escape(key.substring(0, at)))
                .append("\",version=\"")
                .append(escape(key.substring(at + 1)))
                .append("\"} ")
                .append(s.value().applyAsLong(snapshot))
                .append('\n');
          });
    }
    return out.toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
