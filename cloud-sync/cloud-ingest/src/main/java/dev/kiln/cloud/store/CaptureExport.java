package dev.kiln.cloud.store;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes captures to Parquet or CSV through DuckDB's {@code COPY}, to one file or to hive-style
 * folders {@code model=M/date=YYYY-MM-DD/} that DuckDB, Spark and Trino read as a partitioned table
 * (docs/scale.md). A DuckDB store is copied from directly. A PostgreSQL store is read over JDBC
 * (DuckDB's postgres scanner is an extension that would be downloaded, and Kiln runs offline) into
 * an in-memory DuckDB table through the appender, then the same {@code COPY} runs there; that table
 * holds the selected rows, so a very large export wants {@code --since} or {@code --model}.
 */
final class CaptureExport {
  private static final String COLUMNS =
      "id, device_id, model, version, variant, ts, latency_ms, shadow, truncated, output_top,"
          + " output_max, inputs, outputs";
  private static final String STAGING_TABLE =
      "CREATE TABLE captures (id VARCHAR, device_id VARCHAR, model VARCHAR, version VARCHAR,"
          + " variant VARCHAR, ts TIMESTAMP, latency_ms DOUBLE, shadow BOOLEAN, truncated BOOLEAN,"
          + " output_top INTEGER, output_max DOUBLE, inputs VARCHAR, outputs VARCHAR)";

  /**
   * What to export.
   *
   * @param model null for every model (partitioned exports only)
   * @param sinceMs null for all time
   */
  record Selection(String model, Long sinceMs) {
    String where() {
      String w = model == null ? "TRUE" : "model = " + CaptureQueries.literal(model);
      return sinceMs == null ? w : w + " AND ts >= epoch_ms(" + sinceMs + ")";
    }
  }

  private CaptureExport() {}

  /** One file; returns the row count. */
  static long toFile(CaptureStore store, Selection s, CaptureQueries.Format format, Path out) {
    String options =
        format == CaptureQueries.Format.PARQUET ? "FORMAT parquet" : "FORMAT csv, HEADER true";
    String copy =
        "COPY (SELECT "
            + COLUMNS
            + " FROM captures WHERE "
            + s.where()
            + " ORDER BY ts, id) TO "
            + CaptureQueries.literal(out.toAbsolutePath().toString())
            + " ("
            + options
            + ")";
    return run(store, s, copy, out);
  }

  /** Parquet under {@code dir}/model=M/date=YYYY-MM-DD/; returns the row count. */
  static long partitioned(CaptureStore store, Selection s, Path dir) {
    String copy =
        "COPY (SELECT "
            + COLUMNS
            + ", strftime(ts, '%Y-%m-%d') AS date FROM captures WHERE "
            + s.where()
            + " ORDER BY ts, id) TO "
            + CaptureQueries.literal(dir.toAbsolutePath().toString())
            + " (FORMAT parquet, PARTITION_BY (model, date), OVERWRITE_OR_IGNORE true)";
    return run(store, s, copy, dir);
  }

  private static long run(CaptureStore store, Selection s, String copy, Path out) {
    try {
      if (store.dialect() == Dialect.DUCKDB) {
        return store.read(c -> copy(c, s, copy));
      }
      try (Connection staging = DriverManager.getConnection("jdbc:duckdb:")) {
        try (Statement st = staging.createStatement()) {
          st.execute(STAGING_TABLE);
        }
        store.scan(c -> stage(c, s, staging.unwrap(DuckDBConnection.class)));
        return copy(staging, s, copy);
      }
    } catch (SQLException | CloudException e) {
      Throwable cause = e instanceof CloudException && e.getCause() != null ? e.getCause() : e;
      throw new CloudException(
          CloudErrorCode.EXPORT_FAILED, "export to " + out + " failed: " + cause.getMessage(), e);
    }
  }

  private static long copy(Connection c, Selection s, String copy) throws SQLException {
    try (Statement st = c.createStatement()) {
      long n;
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM captures WHERE " + s.where())) {
        rs.next();
        n = rs.getLong(1);
      }
      st.execute(copy);
      return n;
    }
  }

  /** Streams the selected PostgreSQL rows into the in-memory DuckDB table. */
  private static long stage(Connection source, Selection s, DuckDBConnection staging)
      throws SQLException {
    long n = 0;
    try (PreparedStatement ps =
            source.prepareStatement("SELECT " + COLUMNS + " FROM captures WHERE " + s.where());
        ResultSet rs = ps.executeQuery();
        DuckDBAppender a = staging.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "captures")) {
      while (rs.next()) {
        a.beginRow();
        for (int i = 1; i <= 5; i++) {
          a.append(rs.getString(i));
        }
        a.appendLocalDateTime(rs.getObject(6, LocalDateTime.class));
        appendDouble(a, rs, 7);
        appendBoolean(a, rs, 8);
        appendBoolean(a, rs, 9);
        int top = rs.getInt(10);
        if (rs.wasNull()) {
          a.append((String) null);
        } else {
          a.append(top);
        }
        appendDouble(a, rs, 11);
        a.append(rs.getString(12));
        a.append(rs.getString(13));
        a.endRow();
        n++;
      }
    }
    return n;
  }

  private static void appendDouble(DuckDBAppender a, ResultSet rs, int i) throws SQLException {
    double v = rs.getDouble(i);
    if (rs.wasNull()) {
      a.append((String) null);
    } else {
      a.append(v);
    }
  }

  private static void appendBoolean(DuckDBAppender a, ResultSet rs, int i) throws SQLException {
    boolean v = rs.getBoolean(i);
    if (rs.wasNull()) {
      a.append((String) null);
    } else {
      a.append(v);
    }
  }
}
