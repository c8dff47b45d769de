package dev.kiln.cloud.quality;

import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.capture.FeedbackRecord;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the {@code feedback} table: ground truth and rewards from devices ({@code source =
 * 'device'}) and from label imports ({@code 'import'}). Rows are keyed by the record id, which is
 * derived from the feedback's content ({@link FeedbackRecord#idFor}), so a redelivered batch, a
 * client's resend and a re-imported file each store a row once. A method that returns has
 * committed.
 */
public final class FeedbackTable {
  public static final String SOURCE_DEVICE = "device";
  public static final String SOURCE_IMPORT = "import";

  private static final String INSERT =
      "INSERT INTO feedback (id, request_id, device_id, source, ts, label, value, reward, batch_id)"
          + " VALUES (?, ?, ?, ?, epoch_ms(?), ?, ?, ?, ?) ON CONFLICT DO NOTHING";

  private final CaptureStore store;

  public FeedbackTable(CaptureStore store) {
    this.store = store;
  }

  /** Inserts in one transaction; returns how many rows were new. */
  public int insert(List<FeedbackRecord> records, String source, String batchId)
      throws SQLException {
    Map<String, FeedbackRecord> unique = new LinkedHashMap<>();
    for (FeedbackRecord r : records) {
      unique.putIfAbsent(r.id(), r);
    }
    return store.inTransaction(
        conn -> {
          int inserted = 0;
          try (PreparedStatement ps = conn.prepareStatement(INSERT)) {
            for (FeedbackRecord r : unique.values()) {
              ps.setString(1, r.id());
              ps.setString(2, r.requestId());
              ps.setString(3, r.deviceId());
              ps.setString(4, source);
              ps.setLong(5, r.timestampMs());
              ps.setString(6, r.label());
              setDouble(ps, 7, r.value());
              setDouble(ps, 8, r.reward());
              ps.setString(9, batchId);
              inserted += ps.executeUpdate();
            }
          }
          return inserted;
        });
  }

  private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.DOUBLE);
    } else {
      ps.setDouble(i, v);
    }
  }
}
