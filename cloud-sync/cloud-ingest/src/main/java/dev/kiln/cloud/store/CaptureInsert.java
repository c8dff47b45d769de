package dev.kiln.cloud.store;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.postgresql.PGConnection;

/**
 * The captures insert both stores run inside their own transaction, one call per MQTT batch,
 * de-duplicating on the record id ({@code ON CONFLICT DO NOTHING}). DuckDB takes multi-row {@code
 * INSERT}s of a few hundred rows. PostgreSQL takes the batch through {@code COPY} into a temporary
 * staging table (emptied at commit) and one {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}:
 * COPY streams the rows without parsing thousands of bind parameters. Rows go in record-id order,
 * so two PostgreSQL replicas inserting overlapping batches (a redelivery) take their row locks in
 * the same order and cannot deadlock.
 */
final class CaptureInsert {
  private static final int ROWS_PER_STATEMENT = 200;
  private static final String COLUMNS =
      "id, device_id, model, version, variant, ts, latency_ms, shadow, truncated, output_top,"
          + " output_max, inputs, outputs, batch_id, request_id, output_first";
  private static final String VALUES = "(?, ?, ?, ?, ?, epoch_ms(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String STAGING =
      "CREATE TEMP TABLE IF NOT EXISTS captures_staging (LIKE captures) ON COMMIT DELETE ROWS";

  private CaptureInsert() {}

  /** Inserts {@code rows} on {@code c} (no commit); returns how many were new. */
  static int insert(Connection c, Dialect dialect, List<CaptureRow> rows, String batchId)
      throws SQLException {
    TreeMap<String, CaptureRow> unique = new TreeMap<>();
    for (CaptureRow r : rows) {
      unique.putIfAbsent(r.record().id(), r);
    }
    List<CaptureRow> sorted = List.copyOf(unique.values());
    if (sorted.isEmpty()) {
      return 0;
    }
    if (dialect == Dialect.POSTGRESQL) {
      return copy(c, sorted, batchId);
    }
    int inserted = 0;
    for (int from = 0; from < sorted.size(); from += ROWS_PER_STATEMENT) {
      inserted +=
          values(
              c, sorted.subList(from, Math.min(sorted.size(), from + ROWS_PER_STATEMENT)), batchId);
    }
    return inserted;
  }

  private static int copy(Connection c, List<CaptureRow> rows, String batchId) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(STAGING);
    }
    StringBuilder text = new StringBuilder(rows.size() * 20_000);
    for (CaptureRow row : rows) {
      var r = row.record();
      field(text, r.id()).append('\t');
      field(text, r.deviceId()).append('\t');
      field(text, r.model()).append('\t');
      field(text, r.version()).append('\t');
      field(text, r.variant()).append('\t');
      text.append(utc(r.timestampMs())).append('\t');
      text.append(r.latencyMs()).append('\t');
      text.append(r.shadow() ? 't' : 'f').append('\t');
      text.append(r.truncated() ? 't' : 'f').append('\t');
      field(text, row.outputTop()).append('\t');
      field(text, row.outputMax()).append('\t');
      field(text, row.inputsJson()).append('\t');
      field(text, row.outputsJson()).append('\t');
      field(text, batchId).append('\t');
      field(text, r.requestId()).append('\t');
      field(text, row.outputFirst()).append('\n');
    }
    try {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "COPY captures_staging (" + COLUMNS + ") FROM STDIN",
              new StringReader(text.toString()));
    } catch (IOException e) {
      throw new SQLException("COPY of a capture batch failed", e);
    }
    try (Statement st = c.createStatement()) {
      return st.executeUpdate(
          "INSERT INTO captures ("
              + COLUMNS
              + ") SELECT "
              + COLUMNS
              + " FROM captures_staging ORDER BY id ON CONFLICT DO NOTHING");
    }
  }

  /** A value in COPY's text format: {@code \N} for null, backslash escapes for the delimiters. */
  private static StringBuilder field(StringBuilder out, Object v) {
    if (v == null) {
      return out.append("\\N");
    }
    String s = v.toString();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(ch);
      }
    }
    return out;
  }

  private static String utc(long epochMs) {
    return LocalDateTime.ofEpochSecond(
            Math.floorDiv(epochMs, 1000L),
            (int) Math.floorMod(epochMs, 1000L) * 1_000_000,
            ZoneOffset.UTC)
        .toString();
  }

  private static int values(Connection c, List<CaptureRow> rows, String batchId)
      throws SQLException {
    String sql =
        "INSERT INTO captures ("
            + COLUMNS
            + ") VALUES "
            + String.join(", ", Collections.nCopies(rows.size(), VALUES))
            + " ON CONFLICT DO NOTHING";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      for (CaptureRow row : rows) {
        var r = row.record();
        ps.setString(i++, r.id());
        ps.setString(i++, r.deviceId());
        ps.setString(i++, r.model());
        ps.setString(i++, r.version());
        ps.setString(i++, r.variant());
        ps.setLong(i++, r.timestampMs());
        ps.setDouble(i++, r.latencyMs());
        ps.setBoolean(i++, r.shadow());
        ps.setBoolean(i++, r.truncated());
        setInt(ps, i++, row.outputTop());
        setDouble(ps, i++, row.outputMax());
        ps.setString(i++, row.inputsJson());
        ps.setString(i++, row.outputsJson());
        ps.setString(i++, batchId);
        ps.setString(i++, r.requestId());
        setDouble(ps, i++, row.outputFirst());
      }
      return ps.executeUpdate();
    }
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, v);
    }
  }

  private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.DOUBLE);
    } else {
      ps.setDouble(i, v);
    }
  }
}
