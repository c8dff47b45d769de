package dev.kiln.cloud.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL behind {@code kiln fleet compare}, over the store that {@code kiln cloud run} fills:
 * {@code captures} for predictions, latency and agreement, {@code heartbeats} for error counts.
 * Everything is restricted to the deployment's devices and time window. {@code kiln fleet compare}
 * and the cloud service's {@code GET /compare} both ask here. Runs on both stores: the window is
 * selected as {@code ts BETWEEN epoch_ms(?) AND epoch_ms(?)}, which both accept, and the aggregates
 * that differ come from {@link Dialect}.
 */
public final class ComparisonQueries {
  /** The time window, bound as {@code from} and {@code to} in ms after the model. */
  private static final String WINDOW = " AND ts BETWEEN epoch_ms(?) AND epoch_ms(?)";

  private final CaptureStore store;

  public ComparisonQueries(CaptureStore store) {
    this.store = store;
  }

  /**
   * Two versions of a model over a window, on every device that captured either: shadow
   * (same-request) agreement when {@code b} ran as a shadow there, class-mix agreement otherwise.
   */
  public Comparison compareVersions(String model, String a, String b, long from, long to) {
    List<String> versions = List.of(a, b);
    List<String> devices = new ArrayList<>();
    boolean[] shadow = new boolean[1];
    store.read(
        c -> {
          String sql =
              "SELECT device_id, bool_or(coalesce(shadow, false) AND version = ?) FROM captures"
                  + " WHERE model = ?"
                  + WINDOW
                  + in("version", versions.size())
                  + " GROUP BY device_id ORDER BY device_id";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, b);
            bindAll(ps, bind(ps, 2, model, from, to), versions);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                devices.add(rs.getString(1));
                shadow[0] |= rs.getBoolean(2);
              }
            }
          }
          return null;
        });
    return compare(
        null, shadow[0] ? "shadow" : "ab", model, b, versions, devices, from, to, shadow[0]);
  }

  /**
   * @param versions the versions to report (the new one and what the devices ran before)
   * @param sameRequests true for shadow (pair records by request), false for A/B (class mix)
   */
  public Comparison compare(
      String deployment,
      String strategy,
      String model,
      String newVersion,
      List<String> versions,
      List<String> devices,
      long from,
      long to,
      boolean sameRequests) {
    Map<String, long[]> errors = errorsFromHeartbeats(model, devices, from, to);
    List<Comparison.VersionStats> stats =
        store.read(
            c -> versionStats(c, store.dialect(), model, versions, devices, from, to, errors));
    Comparison.Agreement agreement =
        store.read(
            c ->
                sameRequests
                    ? sameRequestAgreement(c, model, newVersion, devices, from, to)
                    : classMixAgreement(c, model, newVersion, versions, devices, from, to));
    return new Comparison(
        deployment, model, newVersion, strategy, devices, from, to, stats, agreement);
  }

  private static List<Comparison.VersionStats> versionStats(
      Connection c,
      Dialect d,
      String model,
      List<String> versions,
      List<String> devices,
      long from,
      long to,
      Map<String, long[]> errors)
      throws SQLException {
    String sql =
        "SELECT version, coalesce(shadow, false) AS is_shadow, count(*), "
            + d.percentile(0.5, "latency_ms")
            + ", "
            + d.percentile(0.95, "latency_ms")
            + ", "
            + d.mode("output_top")
            + " FROM captures WHERE model = ?"
            + WINDOW
            + in("device_id", devices.size())
            + in("version", versions.size())
            + " GROUP BY version, coalesce(shadow, false) ORDER BY version, is_shadow";
    List<Comparison.VersionStats> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindAll(ps, bindAll(ps, bind(ps, model, from, to), devices), versions);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String version = rs.getString(1);
          boolean shadow = rs.getBoolean(2);
          long[] e = errors.get(Metric.variant(version, shadow));
          out.add(
              new Comparison.VersionStats(
                  version,
                  shadow ? "shadow" : "serving",
                  rs.getLong(3),
                  nullableDouble(rs, 4),
                  nullableDouble(rs, 5),
                  (Integer) rs.getObject(6),
                  e == null ? null : e[0],
                  e == null ? null : e[1],
                  e == null || e[0] == 0 ? null : e[1] / (double) e[0]));
        }
      }
    }
    return out;
  }

  /** Shadow: the primary's and the shadow's record of the same request, side by side. */
  private static Comparison.Agreement sameRequestAgreement(
      Connection c, String model, String newVersion, List<String> devices, long from, long to)
      throws SQLException {
    String sql =
        "SELECT count(*), avg(CASE WHEN s.output_top = p.output_top THEN 1.0 ELSE 0.0 END),"
            + " avg(abs(s.output_max - p.output_max))"
            + " FROM captures s JOIN captures p ON s.device_id = p.device_id"
            + " AND s.request_id = p.request_id AND NOT coalesce(p.shadow, false)"
            + " WHERE s.shadow AND s.model = ? AND s.ts BETWEEN epoch_ms(?) AND epoch_ms(?)"
            + " AND s.version = ?"
            + in("s.device_id", devices.size());
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindAll(ps, bindAll(ps, bind(ps, model, from, to), List.of(newVersion)), devices);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Comparison.Agreement(
            "same-requests", rs.getLong(1), nullableDouble(rs, 2), nullableDouble(rs, 3));
      }
    }
  }

  /**
   * A/B: each request went to one version, so compare the mixes of predicted classes: 1 minus the
   * total variation distance (1.0: the two versions predict each class equally often).
   */
  private static Comparison.Agreement classMixAgreement(
      Connection c,
      String model,
      String newVersion,
      List<String> versions,
      List<String> devices,
      long from,
      long to)
      throws SQLException {
    String sql =
        "SELECT version, output_top, count(*) FROM captures"
            + " WHERE model = ?"
            + WINDOW
            + " AND NOT coalesce(shadow, false) AND output_top IS NOT NULL"
            + in("device_id", devices.size())
            + in("version", versions.size())
            + " GROUP BY version, output_top";
    Map<Integer, long[]> mix = new TreeMap<>();
    long[] totals = new long[2];
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindAll(ps, bindAll(ps, bind(ps, model, from, to), devices), versions);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int side = newVersion.equals(rs.getString(1)) ? 1 : 0;
          long n = rs.getLong(3);
          mix.computeIfAbsent(rs.getInt(2), k -> new long[2])[side] += n;
          totals[side] += n;
        }
      }
    }
    if (totals[0] == 0 || totals[1] == 0) {
      return new Comparison.Agreement("class-mix", 0, null, null);
    }
    double distance = 0;
    for (long[] counts : mix.values()) {
      distance += Math.abs(counts[0] / (double) totals[0] - counts[1] / (double) totals[1]);
    }
    return new Comparison.Agreement(
        "class-mix", Math.min(totals[0], totals[1]), 1 - distance / 2, null);
  }

  /**
   * Requests and errors per metrics variant ({@code VERSION} or {@code VERSION-shadow}) over the
   * window: heartbeats carry totals since the agent started, so per device it is the last total
   * minus the last one before the window (or the whole last total after an agent restart).
   */
  private Map<String, long[]> errorsFromHeartbeats(
      String model, List<String> devices, long from, long to) {
    Map<String, Map<String, long[]>> perDevice = new HashMap<>();
    store.read(
        c -> {
          String sql =
              "SELECT device_id, payload FROM heartbeats WHERE ts <= epoch_ms(?)"
                  + in("device_id", devices.size())
                  + " ORDER BY device_id, ts";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, to);
            bindAll(ps, 2, devices);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                JsonNode hb = parse(rs.getString(2));
                long ts = hb.path("ts").asLong();
                Map<String, long[]> totals =
                    perDevice.computeIfAbsent(rs.getString(1), k -> new HashMap<>());
                for (Map.Entry<String, Metric> e :
                    Metric.of(model, hb.path("metrics")).entrySet()) {
                  long[] t = totals.computeIfAbsent(e.getKey(), k -> new long[4]);
                  Metric m = e.getValue();
                  if (ts < from) {
                    t[0] = m.requests();
                    t[1] = m.errors();
                  } else {
                    t[2] = m.requests();
                    t[3] = m.errors();
                  }
                }
              }
            }
          }
          return null;
        });
    Map<String, long[]> out = new HashMap<>();
    for (Map<String, long[]> totals : perDevice.values()) {
      totals.forEach(
          (variant, t) -> {
            boolean restarted = t[2] < t[0];
            long requests = restarted ? t[2] : t[2] - t[0];
            long errors = restarted ? t[3] : t[3] - t[1];
            long[] sum = out.computeIfAbsent(variant, k -> new long[2]);
            sum[0] += Math.max(0, requests);
            sum[1] += Math.max(0, errors);
          });
    }
    return out;
  }

  private static JsonNode parse(String json) throws SQLException {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new SQLException("unreadable heartbeat payload: " + e.getMessage(), e);
    }
  }

  /** Read as a Double whatever numeric type the engine returns (PostgreSQL averages as NUMERIC). */
  private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }

  private static String in(String column, int n) {
    return n == 0 ? " AND false" : " AND " + column + " IN (" + "?, ".repeat(n - 1) + "?)";
  }

  /** Binds {@code values} from parameter {@code first} on; returns the next free index. */
  private static int bindAll(PreparedStatement ps, int first, List<String> values)
      throws SQLException {
    int i = first;
    for (String v : values) {
      ps.setString(i++, v);
    }
    return i;
  }

  private static int bind(PreparedStatement ps, String model, long from, long to)
      throws SQLException {
    return bind(ps, 1, model, from, to);
  }

  private static int bind(PreparedStatement ps, int first, String model, long from, long to)
      throws SQLException {
    ps.setString(first, model);
    ps.setLong(first + 1, from);
    ps.setLong(first + 2, to);
    return first + 3;
  }

  /** A heartbeat's request and error totals for one model variant. */
  record Metric(long requests, long errors) {
    /** The agent labels shadow traffic {@code VERSION-shadow} in its metrics. */
    static String variant(String version, boolean shadow) {
      return shadow ? version + "-shadow" : version;
    }

    /** Keys {@code MODEL.VARIANT.requests} and {@code MODEL.VARIANT.errors}, by variant. */
    static Map<String, Metric> of(String model, JsonNode metrics) {
      Map<String, Metric> out = new HashMap<>();
      String prefix = model + ".";
      metrics
          .fieldNames()
          .forEachRemaining(
              key -> {
                if (key.startsWith(prefix) && key.endsWith(".requests")) {
                  String variant =
                      key.substring(prefix.length(), key.length() - ".requests".length());
                  out.put(
                      variant,
                      new Metric(
                          metrics.path(key).asLong(),
                          metrics.path(prefix + variant + ".errors").asLong()));
                }
              });
      return out;
    }
  }
}
