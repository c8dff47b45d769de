package dev.kiln.cloud.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest captured inputs of a model, for calibrating a compile on real traffic ({@code kiln
 * compile --calibration-from}). Only serving records with their tensors are used: a truncated
 * record has no data, a shadow record repeats the inputs of the serving record of the same request,
 * and a record captured in {@code outputs} mode has no inputs. Each kind is counted, so the user
 * learns what was left out.
 *
 * @param inputs each usable record's {@code inputs} column (a JSON list of tensors with name,
 *     dtype, shape and base64 data), oldest first
 * @param usable how many usable records the model (and version) has, of which {@code inputs} are
 *     the newest
 */
public record CapturedInputs(
    List<String> inputs, long usable, long truncated, long shadow, long withoutInputs) {

  private static final String FILTER = "model = ? AND (CAST(? AS VARCHAR) IS NULL OR version = ?)";
  private static final String NO_INPUTS = "(inputs IS NULL OR inputs = '[]')";

  private static final String NEWEST =
      "SELECT inputs FROM captures WHERE "
          + FILTER
          + " AND NOT coalesce(truncated, false) AND NOT coalesce(shadow, false) AND NOT "
          + NO_INPUTS
          + " ORDER BY ts DESC, id DESC LIMIT ?";

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
   * @param version null for every version of the model
   * @param limit the most records to return
   */
  public static CapturedInputs newest(CaptureStore store, String model, String version, int limit) {
    return store.read(
        c -> {
          List<String> inputs = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(NEWEST)) {
            bind(ps, model, version);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                inputs.add(rs.getString(1));
              }
            }
          }
          java.util.Collections.reverse(inputs);
          try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
            bind(ps, model, version);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return new CapturedInputs(
                  List.copyOf(inputs), rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
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
