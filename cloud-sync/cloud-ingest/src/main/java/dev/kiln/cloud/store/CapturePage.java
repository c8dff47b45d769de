package dev.kiln.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Captured requests one page at a time, newest first, without their tensors: keyset paging on
 * (time, id), so a page deep in the table costs what the first one does.
 */
public final class CapturePage {
  public static final int MAX_LIMIT = 500;

  /**
   * One capture as a list shows it.
   *
   * @param outcome {@code ok}, or {@code truncated} when the agent cut the stored tensors
   */
  public record Row(
      String id,
      String requestId,
      String device,
      String model,
      String version,
      String variant,
      String time,
      Double latencyMs,
      boolean shadow,
      String outcome,
      Prediction prediction) {}

  /** The top class and its score, where the output was a classification. */
  public record Prediction(Integer topClass, Double topScore) {}

  /** A page and the cursor of the next one (null on the last page). */
  public record Page(List<Row> items, String nextCursor) {}

  /** Which captures; null fields do not filter. */
  public record Filter(String model, String version, String device, Long sinceMs) {}

  private final CaptureStore store;

  public CapturePage(CaptureStore store) {
    this.store = store;
  }

  public Page page(Filter f, int limit, String cursor) {
    long cursorUs;
    String cursorId;
    if (cursor == null) {
      cursorUs = Long.MAX_VALUE;
      cursorId = "";
    } else {
      int colon = cursor.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("cursor must be a nextCursor from a previous page");
      }
      cursorUs = Long.parseLong(cursor.substring(0, colon));
      cursorId = cursor.substring(colon + 1);
    }
    return store.read(
        c -> {
          String micros = store.dialect().epochUs("ts");
          String sql =
              "SELECT id, request_id, device_id, model, version, variant, "
                  + micros
                  + ", latency_ms, coalesce(shadow, false), coalesce(truncated, false),"
                  + " output_top, output_max FROM captures"
                  + " WHERE (CAST(? AS VARCHAR) IS NULL OR model = ?)"
                  + " AND (CAST(? AS VARCHAR) IS NULL OR version = ?)"
                  + " AND (CAST(? AS VARCHAR) IS NULL OR device_id = ?)"
                  + " AND (CAST(? AS BIGINT) IS NULL OR ts >= epoch_ms(CAST(? AS BIGINT)))"
                  + (" AND (" + micros + " < ? OR (" + micros + " = ? AND id < ?))")
                  + " ORDER BY ts DESC, id DESC LIMIT ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, f.model());
            ps.setString(2, f.model());
            ps.setString(3, f.version());
            ps.setString(4, f.version());
            ps.setString(5, f.device());
            ps.setString(6, f.device());
            ps.setObject(7, f.sinceMs());
            ps.setObject(8, f.sinceMs());
            ps.setLong(9, cursorUs);
            ps.setLong(10, cursorUs);
            ps.setString(11, cursor == null ? "\uffff" : cursorId);
            ps.setInt(12, limit + 1);
            List<Row> rows = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                long us = rs.getLong(7);
                times.add(us);
                Integer top = (Integer) rs.getObject(11);
                Double max = (Double) rs.getObject(12);
                rows.add(
                    new Row(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        Instant.EPOCH.plusNanos(us * 1000).toString(),
                        (Double) rs.getObject(8),
                        rs.getBoolean(9),
                        rs.getBoolean(10) ? "truncated" : "ok",
                        top == null && max == null ? null : new Prediction(top, max)));
              }
            }
            String next = null;
            if (rows.size() > limit) {
              rows = rows.subList(0, limit);
              next = times.get(limit - 1) + ":" + rows.get(limit - 1).id();
            }
            return new Page(List.copyOf(rows), next);
          }
        });
  }

  /** Every model and its versions seen in capture, sorted. */
  public List<String[]> modelVersions() {
    return store.read(
        c -> {
          List<String[]> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT DISTINCT model, version FROM captures WHERE version IS NOT NULL"
                          + " ORDER BY model, version");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new String[] {rs.getString(1), rs.getString(2)});
            }
          }
          return out;
        });
  }
}
