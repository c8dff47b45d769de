package dev.kiln.cloud.store;

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

  /** Percentiles from {@link Dialect#percentile}. */
  private static final String VOLUME =
      """
      SELECT version, variant, device_id, count(*) AS records,
        round(%s, 3) AS latency_p50_ms,
        round(%s, 3) AS latency_p95_ms,
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

  private final CaptureStore store;

  public CaptureQueries(CaptureStore store) {
    this.store = store;
  }

  /** The dialect that {@link #query} expects. */
  public Dialect dialect() {
    return store.dialect();
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
    Dialect d = store.dialect();
    String volume =
        VOLUME.formatted(d.percentile(0.5, "latency_ms"), d.percentile(0.95, "latency_ms"));
    return new Stats(model, select(volume, model), select(OUTPUTS, model));
  }

  /**
   * Writes the model's captures (since {@code sinceMs} when not null) to {@code out}, ordered by
   * time then id so repeated exports of the same data are identical. Returns the row count.
   */
  public long export(String model, Long sinceMs, Format format, Path out) {
    return CaptureExport.toFile(store, new CaptureExport.Selection(model, sinceMs), format, out);
  }

  /**
   * Writes captures as Parquet under {@code dir}, partitioned hive-style by model and UTC date
   * ({@code model=M/date=YYYY-MM-DD/}). Returns the row count.
   *
   * @param model null for every model
   */
  public long exportPartitioned(String model, Long sinceMs, Path dir) {
    return CaptureExport.partitioned(store, new CaptureExport.Selection(model, sinceMs), dir);
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
