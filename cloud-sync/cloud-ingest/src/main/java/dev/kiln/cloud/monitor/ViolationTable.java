package dev.kiln.cloud.monitor;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.QueryResult;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** The {@code drift_violations} table (schema v3): written by checks, read by status. */
public final class ViolationTable {
  private final CaptureStore store;

  public ViolationTable(CaptureStore store) {
    this.store = store;
  }

  /** Stores a report's violations in one transaction; returns how many. */
  public int record(DriftReport r, long detectedAtMs) throws SQLException {
    List<Measurement> v = r.violations();
    if (v.isEmpty()) {
      return 0;
    }
    return store.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO drift_violations (detected_at, window_start, window_end, model,"
                      + " scope, version, device_id, feature, measure, value, threshold, records)"
                      + " VALUES (epoch_ms(?), epoch_ms(?), epoch_ms(?), ?, ?, ?, ?, ?, ?, ?, ?,"
                      + " ?)")) {
            for (Measurement m : v) {
              int i = 1;
              ps.setLong(i++, detectedAtMs);
              ps.setLong(i++, r.fromMs());
              ps.setLong(i++, r.untilMs());
              ps.setString(i++, r.model());
              ps.setString(i++, m.scope().label());
              ps.setString(i++, m.version());
              ps.setString(i++, m.device());
              ps.setString(i++, m.feature());
              ps.setString(i++, m.measure());
              ps.setDouble(i++, m.value());
              ps.setDouble(i++, m.threshold());
              ps.setLong(i++, m.records());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return v.size();
        });
  }

  /**
   * Violations detected at or after {@code sinceMs} (all when null), newest first, for {@code
   * model} (all when null), at most {@code limit}.
   */
  public QueryResult recent(String model, Long sinceMs, int limit) {
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT detected_at, model, scope, version, device_id AS device, feature,"
                      + " measure, round(value, 4) AS value, threshold, records,"
                      + " window_start, window_end FROM drift_violations"
                      + " WHERE (CAST(? AS VARCHAR) IS NULL OR model = ?)"
                      + " AND (CAST(? AS BIGINT) IS NULL OR detected_at >= epoch_ms(?))"
                      + " ORDER BY detected_at DESC, model, scope, version, device_id, feature,"
                      + " measure LIMIT ?")) {
            ps.setString(1, model);
            ps.setString(2, model);
            ps.setObject(3, sinceMs);
            ps.setObject(4, sinceMs);
            ps.setInt(5, limit);
            try (ResultSet rs = ps.executeQuery()) {
              return QueryResult.of(rs);
            }
          }
        });
  }
}
