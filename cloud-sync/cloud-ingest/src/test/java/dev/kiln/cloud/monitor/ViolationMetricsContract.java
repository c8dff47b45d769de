package dev.kiln.cloud.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloud.store.CaptureStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The drift violations as Prometheus text, run against each store by a subclass ({@code GET
 * /api/v1/monitoring/metrics} and {@code kiln monitor status --metrics} read any store).
 */
abstract class ViolationMetricsContract {
  private static final long T0 = 1_767_225_600_000L;

  /** A fresh, empty store for one test. */
  abstract CaptureStore newStore();

  private static DriftReport report(long until, double psi, boolean violated) {
    return new DriftReport(
        "sensor",
        until - 600_000,
        until,
        1000,
        0,
        List.of(
            new Measurement(Scope.DEVICE, "1", "cam-1", "x[2]", "psi", psi, 0.2, 1000, violated),
            new Measurement(Scope.FLEET, null, null, "x[2]", "js", 0.05, 0.1, 3000, false)));
  }

  @Test
  void violations_renderAsPrometheusSeries_withTheLatestValueAndCheckTimes() throws Exception {
    try (CaptureStore store = newStore()) {
      ViolationTable table = new ViolationTable(store);
      table.record(report(T0, 0.93, true), T0 + 412);
      table.record(report(T0 + 60_000, 0.5, true), T0 + 60_500);
      ViolationMetrics metrics = new ViolationMetrics(store);
      metrics.checked("sensor", T0 + 120_000);

      String text = metrics.render();

      String labels =
          "{model=\"sensor\",scope=\"device\",version=\"1\",device=\"cam-1\","
              + "feature=\"x[2]\",measure=\"psi\"}";
      assertThat(text)
          .contains("# TYPE kiln_monitor_violations_total counter\n")
          .contains("kiln_monitor_violations_total" + labels + " 2\n")
          .contains("kiln_monitor_last_value" + labels + " 0.5\n")
          .contains("kiln_monitor_threshold" + labels + " 0.2\n")
          .contains("kiln_monitor_last_violation_timestamp_seconds" + labels + " 1767225660.5\n")
          .contains("kiln_monitor_last_check_timestamp_seconds{model=\"sensor\"} 1767225720\n")
          .contains("kiln_monitor_series_dropped 0\n")
          .as("a measure within its threshold is no violation")
          .doesNotContain("measure=\"js\"");
    }
  }

  @Test
  void anEmptyTable_rendersTheHeadersAndNoSeries() throws Exception {
    try (CaptureStore store = newStore()) {
      String text = new ViolationMetrics(store).render();
      assertThat(text).contains("# TYPE kiln_monitor_last_value gauge\n");
      assertThat(text.lines().filter(l -> !l.startsWith("#")))
          .containsExactly("kiln_monitor_series_dropped 0");
    }
  }
}
