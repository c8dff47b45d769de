package dev.kiln.cloud.store;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/** The read side used by {@code kiln data}: free SQL, per-model statistics, dataset export. */
public final class CaptureQueries {
  /** Export file formats. */
  public enum Format {
    PARQUET,
    CSV
  }

  /**
   * Volume and latency per version/variant/device, and the output distribution per version/variant.
   */
  public record Stats(String model, QueryResult volume, QueryResult outputs) {}

  private static final String VOLUME =
      """
      SELECT version, variant, device_id, count(*) AS records,
        round(quantile_cont(latency_ms, 0.5), 3) AS latency_p50_ms,
        round(quantile_cont(latency_ms, 0.95), 3) AS latency_p95_ms,
        round(avg(latency_ms), 3) AS latency_mean_ms,
        count(*) FILTER (WHERE shadow) AS shadow,
        count(*) FILTER (WHERE truncated) AS truncated,
        min(ts) AS first_ts, max(ts) AS last_ts
      FROM captures WHERE model = ?
      GROUP BY version, variant, device_id
      ORDER BY version, variant, device_id""";

  private static final String OUTPUTS =
      """
      SELECT version, variant, output_top AS top_class, count(*) AS records,
        round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY version, variant), 2) AS pct,
        round(avg(output_max), 4) AS mean_top_score
      FROM captures WHERE model = ? AND output_top IS NOT NULL
      GROUP BY version, variant, output_top
      ORDER BY version, variant, records DESC, top_class""";

  private static final String EXPORT_COLUMNS =
      "id, device_id, model, version, variant, ts, latency_ms, shadow, truncated, output_top,"
          + " output_max, inputs, outputs";

  private final CaptureStore store;

  public CaptureQueries(CaptureStore store) {
    this.store = store;
  }

  public QueryResult query(String sql) {
    return store.read(
        c -> {
          try (Statement st = c.createStatement()) {
            if (!st.execute(sql)) {
              return new QueryResult(
                  java.util.List.of("updated"),
                  java.util.List.of(java.util.List.of(st.getUpdateCount())));
            }
            try (ResultSet rs = st.getResultSet()) {
              return QueryResult.of(rs);
            }
          }
        });
  }

  public Stats stats(String model) {
    return new Stats(model, select(VOLUME, model), select(OUTPUTS, model));
  }

  /**
   * Writes the model's captures (since {@code sinceMs} when not null) to {@code out}, ordered by
   * time then id so repeated exports of the same data are identical. Returns the row count.
   */
  public long export(String model, Long sinceMs, Format format, Path out) {
    String where =
        "model = "
            + literal(model)
            + (sinceMs == null ? "" : " AND ts >= epoch_ms(" + sinceMs + ")");
    String options = format == Format.PARQUET ? "FORMAT parquet" : "FORMAT csv, HEADER true";
    String copy =
        "COPY (SELECT "
            + EXPORT_COLUMNS
            + " FROM captures WHERE "
            + where
            + " ORDER BY ts, id) TO "
            + literal(out.toAbsolutePath().toString())
            + " ("
            + options
            + ")";
    try {
      return store.read(
          c -> {
            try (Statement st = c.createStatement()) {
              long n;
              try (ResultSet rs = st.executeQuery("SELECT count(*) FROM captures WHERE " + where)) {
                rs.next();
                n = rs.getLong(1);
              }
              st.execute(copy);
              return n;
            }
          });
    } catch (CloudException e) {
      throw new CloudException(
          CloudErrorCode.EXPORT_FAILED,
          "export to " + out + " failed: " + e.getCause().getMessage(),
          e);
    }
  }

  private QueryResult select(String sql, String model) {
    return store.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
              return QueryResult.of(rs);
            }
          }
        });
  }

  /** A SQL string literal; COPY takes no bind parameters, so quoting is done here, once. */
  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
