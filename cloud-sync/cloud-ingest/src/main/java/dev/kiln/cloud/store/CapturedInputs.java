package dev.kiln.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The newest captured inputs of a model, for calibrating a compile on real traffic ({@code kiln
 * compile --calibration-from}). Only serving records with their tensors are used: a truncated
 * record has no data, a shadow record repeats the inputs of the serving record of the same request,
 * and a record captured in {@code outputs} mode has no inputs. Each kind is counted, so the user
 * learns what was left out.
 *
 * @param used how many records were passed on: the newest usable ones, up to the limit
 * @param usable how many usable records the model (and version) has
 */
public record CapturedInputs(
    long used, long usable, long truncated, long shadow, long withoutInputs) {

  private static final String FILTER = "model = ? AND (CAST(? AS VARCHAR) IS NULL OR version = ?)";
  private static final String NO_INPUTS = "(inputs IS NULL OR inputs = '[]')";

  private static final String NEWEST =
      "SELECT inputs FROM (SELECT inputs, ts, id FROM captures WHERE "
          + FILTER
          + " AND NOT coalesce(truncated, false) AND NOT coalesce(shadow, false) AND NOT "
          + NO_INPUTS
          + " ORDER BY ts DESC, id DESC LIMIT ?) AS newest ORDER BY ts, id";

  private static final String COUNTS =
      "SELECT"
          + " count(*) FILTER (WHERE NOT coalesce(truncated, false) AND NOT coalesce(shadow, false)"
          + "   AND NOT "
          + NO_INPUTS
          + "),"
          + " count(*) FILTER (WHERE coalesce(truncated, false)),"
          + " count(*) FILTER (WHERE NOT coalesce(truncated, false) AND coalesce(shadow, false)),"
          + " count(*) FILTER (WHERE NOT coalesce(truncated, false) AND NOT coalesce(shadow, false)"
          + "   AND "
          + NO_INPUTS
          + ")"
          + " FROM captures WHERE "
          + FILTER;

  /**
   * Passes the newest usable records' {@code inputs} column (a JSON list of tensors with name,
   * dtype, shape and base64 data) to {@code sink}, oldest first, one row at a time so the caller
   * decides what to hold in memory.
   *
   * @param version null for every version of the model
   * @param limit the most records to pass on
   */
  public static CapturedInputs newest(
      CaptureStore store, String model, String version, int limit, Consumer<String> sink) {
    return store.read(
        c -> {
          long used = 0;
          try (PreparedStatement ps = c.prepareStatement(NEWEST)) {
            bind(ps, model, version);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                sink.accept(rs.getString(1));
                used++;
              }
            }
          }
          try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
            bind(ps, model, version);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return new CapturedInputs(
                  used, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
          }
        });
  }

  /** Models that have captures, for the message when the one asked for has none. */
  public static List<String> models(CaptureStore store) {
    return store.read(
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT DISTINCT model FROM captures ORDER BY model");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  private static void bind(PreparedStatement ps, String model, String version) throws SQLException {
    ps.setString(1, model);
    ps.setString(2, version);
    ps.setString(3, version);
  }
}
