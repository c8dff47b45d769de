package dev.kiln.cloud.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's versions over time, for charts: per time bucket the captured requests and their latency
 * percentiles (from {@code captures}) and the errors the devices counted (from the per-version
 * error totals in {@code heartbeats}: capture holds only inferences that succeeded). Bounded: the
 * bucket is widened so no version has more than {@link #MAX_POINTS} points, and at most {@link
 * #MAX_HEARTBEATS} heartbeats are read for errors (beyond that, errors are null).
 */
public final class VersionSeries {
  public static final int MAX_POINTS = 500;
  static final int MAX_HEARTBEATS = 200_000;

  /** One bucket: {@code t} is its start; errors are null where no heartbeat says. */
  public record Point(
      String t, long requests, Long errors, Double p50Ms, Double p95Ms, Double p99Ms) {}

  public record Line(String version, List<Point> points) {}

  private final CaptureStore store;

  public VersionSeries(CaptureStore store) {
    this.store = store;
  }

  /** The bucket width used for a window and a wanted step: at least wide enough for 500 points. */
  public static long step(long from, long to, long wantedMs) {
    long least = Math.max(1000, (to - from + MAX_POINTS - 1) / MAX_POINTS);
    return Math.max(least, wantedMs);
  }

  /**
   * @param version one version, or null for every version of the model
   */
  public List<Line> series(String model, String version, long from, long to, long stepMs) {
    Map<String, TreeMap<Long, long[]>> errors = errors(model, from, to, stepMs);
    Map<String, List<Point>> lines = new TreeMap<>();
    store.read(
        c -> {
          Dialect d = store.dialect();
          // The bucket is grouped by its alias: with bind parameters in it, the expression in
          // GROUP BY would not be the same expression as in SELECT to PostgreSQL.
          String sql =
              "SELECT version, CAST(floor("
                  + d.epochMs("ts")
                  + " / CAST(? AS DOUBLE PRECISION)) AS BIGINT) * ? AS b, count(*), "
                  + d.percentile(0.5, "latency_ms")
                  + ", "
                  + d.percentile(0.95, "latency_ms")
                  + ", "
                  + d.percentile(0.99, "latency_ms")
                  + " FROM captures"
                  + " WHERE model = ? AND ts BETWEEN epoch_ms(?) AND epoch_ms(?)"
                  + " AND NOT coalesce(shadow, false) AND version IS NOT NULL"
                  + " AND (CAST(? AS VARCHAR) IS NULL OR version = ?)"
                  + " GROUP BY version, b ORDER BY version, b";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, stepMs);
            ps.setLong(2, stepMs);
            ps.setString(3, model);
            ps.setLong(4, from);
            ps.setLong(5, to);
            ps.setString(6, version);
            ps.setString(7, version);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String v = rs.getString(1);
                long b = rs.getLong(2);
                long[] e = errors.getOrDefault(v, new TreeMap<>()).get(b);
                lines
                    .computeIfAbsent(v, k -> new ArrayList<>())
                    .add(
                        new Point(
                            Instant.ofEpochMilli(b).toString(),
                            rs.getLong(3),
                            e == null ? null : e[0],
                            nullableDouble(rs, 4),
                            nullableDouble(rs, 5),
                            nullableDouble(rs, 6)));
              }
            }
          }
          return null;
        });
    List<Line> out = new ArrayList<>();
    lines.forEach((v, points) -> out.add(new Line(v, points)));
    return out;
  }

  /**
   * Errors per version and bucket: the growth of each device's error total between consecutive
   * heartbeats, put in the later heartbeat's bucket (a total that shrank means the agent restarted:
   * its new total counts whole).
   */
  private Map<String, TreeMap<Long, long[]>> errors(String model, long from, long to, long step) {
    Map<String, TreeMap<Long, long[]>> out = new HashMap<>();
    store.read(
        c -> {
          String sql =
              "SELECT device_id, "
                  + store.dialect().epochMs("ts")
                  + ", payload FROM heartbeats"
                  + " WHERE ts BETWEEN epoch_ms(?) AND epoch_ms(?) ORDER BY device_id, ts LIMIT ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from - step);
            ps.setLong(2, to);
            ps.setInt(3, MAX_HEARTBEATS + 1);
            try (ResultSet rs = ps.executeQuery()) {
              String device = null;
              Map<String, Long> last = new HashMap<>();
              int n = 0;
              while (rs.next()) {
                if (++n > MAX_HEARTBEATS) {
                  out.clear();
                  return null;
                }
                if (!rs.getString(1).equals(device)) {
                  device = rs.getString(1);
                  last.clear();
                }
                long t = rs.getLong(2);
                for (Map.Entry<String, ComparisonQueries.Metric> m :
                    ComparisonQueries.Metric.of(model, parse(rs.getString(3)).path("metrics"))
                        .entrySet()) {
                  long total = m.getValue().errors();
                  Long before = last.put(m.getKey(), total);
                  if (before != null && t >= from) {
                    long delta = total >= before ? total - before : total;
                    out.computeIfAbsent(m.getKey(), k -> new TreeMap<>())
                            .computeIfAbsent(Math.floorDiv(t, step) * step, k -> new long[1])[0] +=
                        delta;
                  }
                }
              }
            }
          }
          return null;
        });
    return out;
  }

  private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }

  private static JsonNode parse(String json) throws SQLException {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new SQLException("unreadable heartbeat payload: " + e.getMessage(), e);
    }
  }
}
