package dev.kiln.cloud.monitor;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.capture.CaptureTensor;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a window of captures row by row (one result chunk in memory at a time) and decodes each
 * row's input tensors. Only the columns a check needs are read; outputs are summarized by the
 * store's {@code output_top}/{@code output_max}, so their tensors are decoded only when asked.
 */
final class CaptureScan {
  private static final ObjectReader TENSORS =
      ProtocolJson.mapper().readerFor(CaptureTensor[].class);
  private static final int FETCH_ROWS = 8192;

  /** One capture as a check sees it. */
  interface RowHandler {
    void row(String version, String device, Integer top, Double max, List<CaptureTensor> inputs);
  }

  private CaptureScan() {}

  /** Calls {@code handler} for every capture in {@code w}; returns the rows read. */
  static long scan(CaptureStore store, CaptureWindow w, boolean ordered, RowHandler handler) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT version, device_id, output_top, output_max, inputs FROM captures"
                + " WHERE model = ? AND NOT coalesce(shadow, false)");
    if (w.version() != null) {
      sql.append(" AND version = ?");
    }
    if (w.fromMs() != null) {
      sql.append(" AND ts >= epoch_ms(?)");
    }
    if (w.untilMs() != null) {
      sql.append(" AND ts < epoch_ms(?)");
    }
    if (ordered) {
      // A baseline is built from a seeded sample, so the same rows must come in the same order.
      sql.append(" ORDER BY ts, id");
    }
    return store.scan(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, w.model());
            if (w.version() != null) {
              ps.setString(i++, w.version());
            }
            if (w.fromMs() != null) {
              ps.setLong(i++, w.fromMs());
            }
            if (w.untilMs() != null) {
              ps.setLong(i++, w.untilMs());
            }
            ps.setFetchSize(FETCH_ROWS);
            long n = 0;
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                int top = rs.getInt(3);
                Integer topClass = rs.wasNull() ? null : top;
                double max = rs.getDouble(4);
                Double maxValue = rs.wasNull() ? null : max;
                handler.row(
                    rs.getString(1), rs.getString(2), topClass, maxValue, tensors(rs.getString(5)));
                n++;
              }
            }
            return n;
          }
        });
  }

  /** The first output tensor of the window's first capture, or null (no captures, no outputs). */
  static CaptureTensor firstOutput(CaptureStore store, CaptureWindow w) {
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT outputs FROM captures WHERE model = ? AND outputs IS NOT NULL"
                      + (w.version() == null ? "" : " AND version = ?")
                      + " LIMIT 1")) {
            ps.setString(1, w.model());
            if (w.version() != null) {
              ps.setString(2, w.version());
            }
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return null;
              }
              List<CaptureTensor> out = tensors(rs.getString(1));
              return out.isEmpty() ? null : out.get(0);
            }
          }
        });
  }

  static List<CaptureTensor> tensors(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      CaptureTensor[] t = TENSORS.readValue(json);
      return t == null ? List.of() : List.of(t);
    } catch (IOException e) {
      // A row the store accepted always decodes; one that does not is left out of the window.
      return List.of();
    }
  }

  /** Each tensor's values as doubles (null where the record was truncated). */
  static List<double[]> values(List<CaptureTensor> tensors) {
    List<double[]> v = new ArrayList<>(tensors.size());
    for (CaptureTensor t : tensors) {
      v.add(t.toDoubles());
    }
    return v;
  }
}
