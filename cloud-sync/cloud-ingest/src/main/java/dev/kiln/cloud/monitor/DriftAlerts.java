package dev.kiln.cloud.monitor;

import dev.kiln.link.protocol.DriftAlert;
import dev.kiln.link.protocol.ProtocolJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a check's report into its alerts (the wire record is the protocol's {@link DriftAlert}).
 */
public final class DriftAlerts {
  private DriftAlerts() {}

  /** The alerts of a report: one per group with violations, in the report's order. */
  public static List<DriftAlert> of(DriftReport r, long detectedAtMs) {
    Map<List<Object>, List<Measurement>> byGroup = new LinkedHashMap<>();
    for (Measurement m : r.violations()) {
      byGroup
          .computeIfAbsent(
              java.util.Arrays.asList(m.scope(), m.version(), m.device()), k -> new ArrayList<>())
          .add(m);
    }
    List<DriftAlert> alerts = new ArrayList<>();
    for (List<Measurement> ms : byGroup.values()) {
      Measurement first = ms.get(0);
      alerts.add(
          new DriftAlert(
              ProtocolJson.SCHEMA_VERSION,
              "drift",
              r.model(),
              first.scope().label(),
              first.version(),
              first.device(),
              r.fromMs(),
              r.untilMs(),
              first.records(),
              detectedAtMs,
              ms.stream()
                  .map(
                      m ->
                          new DriftAlert.Violation(
                              m.feature(), m.measure(), m.value(), m.threshold()))
                  .toList()));
    }
    return alerts;
  }
}
