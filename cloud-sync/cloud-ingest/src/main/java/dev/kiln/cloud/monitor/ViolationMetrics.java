package dev.kiln.cloud.monitor;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.Dialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code drift_violations} table as Prometheus text (format 0.0.4), for {@code GET
 * /api/v1/monitoring/metrics} of the cloud service and {@code kiln monitor status --metrics}. One
 * series per model, scope, version, device, feature and measure that ever crossed its threshold:
 *
 * <ul>
 *   <li>{@code kiln_monitor_violations_total}: checks in which it was crossed;
 *   <li>{@code kiln_monitor_last_value} and {@code kiln_monitor_threshold}: the measure and its
 *       threshold at the latest of them;
 *   <li>{@code kiln_monitor_last_violation_timestamp_seconds}: when that was;
 * </ul>
 *
 * and per model {@code kiln_monitor_last_check_timestamp_seconds}, when this process last checked
 * it (violations or not), so an alert rule can tell "no drift" from "no checks". Series are capped
 * at {@link #MAX_SERIES}, most recent first; the cap is reported as {@code
 * kiln_monitor_series_dropped}.
 */
public final class ViolationMetrics {
  /** Enough for a few models over hundreds of devices; a scrape stays under a few MB. */
  public static final int MAX_SERIES = 10_000;

  private final CaptureStore store;
  private final Map<String, Long> lastChecks = new ConcurrentHashMap<>();

  public ViolationMetrics(CaptureStore store) {
    this.store = store;
  }

  /** Notes that {@code model} was checked at {@code atMs}; the monitor loop calls it per check. */
  public void checked(String model, long atMs) {
    lastChecks.merge(model, atMs, Math::max);
  }

  /** Notes a check's outcome, as {@link MonitorLoop}'s callback sees it. */
  public void checked(Monitor.Outcome o) {
    checked(o.report().model(), o.report().untilMs());
  }

  /** Reads the table and renders every series. */
  public String render() {
    StringBuilder total = new StringBuilder();
    StringBuilder value = new StringBuilder();
    StringBuilder threshold = new StringBuilder();
    StringBuilder last = new StringBuilder();
    Dialect d = store.dialect();
    String sql =
        "SELECT model, scope, coalesce(version, '') AS version,"
            + " coalesce(device_id, '') AS device, feature, measure, count(*) AS n, "
            + d.latest("value", "detected_at")
            + " AS v, "
            + d.latest("threshold", "detected_at")
            + " AS t, "
            + d.epochMs("max(detected_at)")
            + " AS at FROM drift_violations"
            + " GROUP BY model, scope, coalesce(version, ''), coalesce(device_id, ''), feature,"
            + " measure ORDER BY at DESC, model, scope, version, device, feature, measure";
    long[] counts =
        store.read(
            c -> {
              long series = 0;
              long dropped = 0;
              try (PreparedStatement ps = c.prepareStatement(sql);
                  ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  if (series >= MAX_SERIES) {
                    dropped++;
                    continue;
                  }
                  series++;
                  String labels =
                      labels(
                          rs.getString("model"),
                          rs.getString("scope"),
                          rs.getString("version"),
                          rs.getString("device"),
                          rs.getString("feature"),
                          rs.getString("measure"));
                  line(total, "kiln_monitor_violations_total", labels, rs.getLong("n"));
                  line(value, "kiln_monitor_last_value", labels, rs.getDouble("v"));
                  line(threshold, "kiln_monitor_threshold", labels, rs.getDouble("t"));
                  line(
                      last,
                      "kiln_monitor_last_violation_timestamp_seconds",
                      labels,
                      rs.getLong("at") / 1000.0);
                }
              }
              return new long[] {series, dropped};
            });
    StringBuilder out = new StringBuilder();
    section(
        out,
        "kiln_monitor_violations_total",
        "counter",
        "Drift checks in which the measure crossed its threshold.",
        total);
    section(
        out,
        "kiln_monitor_last_value",
        "gauge",
        "The measure at the latest check that crossed its threshold.",
        value);
    section(
        out,
        "kiln_monitor_threshold",
        "gauge",
        "The threshold at the latest check that crossed it.",
        threshold);
    section(
        out,
        "kiln_monitor_last_violation_timestamp_seconds",
        "gauge",
        "When the threshold was last crossed (epoch seconds).",
        last);
    StringBuilder checks = new StringBuilder();
    new TreeMap<>(lastChecks)
        .forEach(
            (model, at) ->
                line(
                    checks,
                    "kiln_monitor_last_check_timestamp_seconds",
                    "{model=\"" + escape(model) + "\"}",
                    at / 1000.0));
    section(
        out,
        "kiln_monitor_last_check_timestamp_seconds",
        "gauge",
        "When this process last checked the model for drift (epoch seconds).",
        checks);
    out.append("# HELP kiln_monitor_series_dropped Series left out over the cap of ")
        .append(MAX_SERIES)
        .append(".\n# TYPE kiln_monitor_series_dropped gauge\nkiln_monitor_series_dropped ")
        .append(counts[1])
        .append('\n');
    return out.toString();
  }

  private static String labels(
      String model, String scope, String version, String device, String feature, String measure) {
    return "{model=\""
        + escape(model)
        + "\",scope=\""
        + escape(scope)
        + "\",version=\""
        + escape(version)
        + "\",device=\""
        + escape(device)
        + "\",feature=\""
        + escape(feature)
        + "\",measure=\""
        + escape(measure)
        + "\"}";
  }

  private static void line(StringBuilder out, String name, String labels, double value) {
    out.append(name).append(labels).append(' ').append(number(value)).append('\n');
  }

  private static void line(StringBuilder out, String name, String labels, long value) {
    out.append(name).append(labels).append(' ').append(value).append('\n');
  }

  /** Plain decimal (no exponent), which every Prometheus parser reads. */
  private static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    }
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static void section(
      StringBuilder out, String name, String type, String help, StringBuilder lines) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(lines);
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
