package dev.kiln.cloud.store;

import dev.kiln.link.protocol.capture.CaptureRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * The captures insert both stores run inside their own transaction: multi-row {@code INSERT ... ON
 * CONFLICT DO NOTHING}, a few hundred rows a statement. One SQL text for both dialects
 * (PostgreSQL's first migration defines DuckDB's {@code epoch_ms}). Rows go in record-id order, so
 * two PostgreSQL replicas inserting overlapping batches (a redelivery) take row locks in the same
 * order and cannot deadlock.
 */
final class CaptureInsert {
  private static final int ROWS_PER_STATEMENT = 200;
  private static final String COLUMNS =
      "id, device_id, model, version, variant, ts, latency_ms, shadow, truncated, output_top,"
          + " output_max, inputs, outputs, batch_id, request_id, output_first";
  private static final String VALUES = "(?, ?, ?, ?, ?, epoch_ms(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private CaptureInsert() {}

  /** Inserts {@code records} on {@code c} (no commit); returns how many were new. */
  static int insert(Connection c, List<CaptureRecord> records, String batchId) throws SQLException {
    TreeMap<String, CaptureRecord> unique = new TreeMap<>();
    for (CaptureRecord r : records) {
      unique.putIfAbsent(r.id(), r);
    }
    List<CaptureRecord> rows = List.copyOf(unique.values());
    int inserted = 0;
    for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
      inserted +=
          chunk(c, rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT)), batchId);
    }
    return inserted;
  }

  private static int chunk(Connection c, List<CaptureRecord> records, String batchId)
      throws SQLException {
    String sql =
        "INSERT INTO captures ("
            + COLUMNS
            + ") VALUES "
            + String.join(", ", Collections.nCopies(records.size(), VALUES))
            + " ON CONFLICT DO NOTHING";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      for (CaptureRecord r : records) {
        CaptureRow row = CaptureRow.of(r);
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
