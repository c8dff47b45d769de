package dev.kiln.cloud.quality;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.store.CaptureStore;
import dev.kiln.cloud.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a model does in the field, per version or per device: feedback joined to captures on the
 * request id, all in DuckDB. A request's latest label (and latest value) counts, so a corrected
 * label replaces the first. Labels are classes compared with the predicted class ({@code
 * captures.output_top}, the argmax of the first output, as text); values are compared with the
 * first value of the first output ({@code captures.output_first}). Shadow predictions were not
 * served and are left out unless asked for. Labels and values whose request id matches no capture
 * at all are counted, never dropped silently.
 */
public final class FieldQuality {
  /** What to group by. */
  public enum By {
    VERSION("version"),
    DEVICE("device_id");

    private final String column;

    By(String column) {
      this.column = column;
    }

    public static By parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "version" -> VERSION;
        case "device" -> DEVICE;
        default ->
            throw new CloudException(
                CloudErrorCode.USAGE, "--by is version or device, not '" + s + "'");
      };
    }
  }

  /** Precision over {@code predicted} samples and recall over {@code labelled} ones. */
  public record ClassFigures(
      String label, long labelled, long predicted, long correct, Double precision, Double recall) {}

  /**
   * One version's or device's figures; {@code labelled} samples behind the accuracy, {@code valued}
   * behind MAE and RMSE (null figures where there are none).
   */
  public record Group(
      String key,
      long labelled,
      Double accuracy,
      List<ClassFigures> classes,
      long valued,
      Double mae,
      Double rmse) {}

  /**
   * @param unmatchedLabels labels (latest per request) whose request id is in no capture
   * @param unmatchedValues the same for numeric values
   */
  public record Report(
      String model, By by, List<Group> groups, long unmatchedLabels, long unmatchedValues) {}

  /** The latest label and the latest value per request id ({@link Dialect#latest}). */
  private static final String LATEST =
      """
      WITH latest_label AS (
        SELECT request_id, %2$s AS label FROM feedback
        WHERE label IS NOT NULL GROUP BY request_id),
      latest_value AS (
        SELECT request_id, %3$s AS value FROM feedback
        WHERE value IS NOT NULL GROUP BY request_id),
      served AS (
        SELECT request_id, %1$s AS k, CAST(output_top AS VARCHAR) AS predicted, output_first
        FROM captures
        WHERE model = ? AND request_id IS NOT NULL AND (NOT coalesce(shadow, false) OR ?))
      """;

  private static final String ACCURACY =
      LATEST
          + """
          SELECT k, count(*) AS n, avg(CASE WHEN predicted = label THEN 1.0 ELSE 0.0 END) AS acc
          FROM served JOIN latest_label USING (request_id)
          GROUP BY k ORDER BY k""";

  private static final String CLASSES =
      LATEST
          + """
          , pairs AS (
            SELECT k, label, predicted FROM served JOIN latest_label USING (request_id))
          SELECT k, cls, sum(actual) AS labelled, sum(pred) AS predicted, sum(hit) AS correct
          FROM (
            SELECT k, label AS cls, 1 AS actual, 0 AS pred,
                   CASE WHEN label = predicted THEN 1 ELSE 0 END AS hit FROM pairs
            UNION ALL
            SELECT k, predicted AS cls, 0, 1, 0 FROM pairs WHERE predicted IS NOT NULL) AS tally
          GROUP BY k, cls ORDER BY k, cls""";

  private static final String REGRESSION =
      LATEST
          + """
          SELECT k, count(*) AS n, avg(abs(value - output_first)) AS mae,
                 sqrt(avg((value - output_first) * (value - output_first))) AS rmse
          FROM served JOIN latest_value USING (request_id)
          WHERE output_first IS NOT NULL
          GROUP BY k ORDER BY k""";

  private static final String UNMATCHED =
      """
      SELECT
        (SELECT count(DISTINCT request_id) FROM feedback f WHERE label IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.request_id = f.request_id)),
        (SELECT count(DISTINCT request_id) FROM feedback f WHERE value IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.request_id = f.request_id))""";

  private final CaptureStore store;

  public FieldQuality(CaptureStore store) {
    this.store = store;
  }

  public Report report(String model, By by, boolean includeShadow) {
    return store.read(
        conn -> {
          Map<String, long[]> accuracyN = new LinkedHashMap<>();
          Map<String, Double> accuracy = new LinkedHashMap<>();
          Dialect d = store.dialect();
          try (ResultSet rs = query(conn, d, ACCURACY, by, model, includeShadow)) {
            while (rs.next()) {
              accuracyN.put(key(rs), new long[] {rs.getLong("n")});
              accuracy.put(key(rs), rs.getDouble("acc"));
            }
          }
          Map<String, List<ClassFigures>> classes = new LinkedHashMap<>();
          try (ResultSet rs = query(conn, d, CLASSES, by, model, includeShadow)) {
            while (rs.next()) {
              long labelled = rs.getLong("labelled");
              long predicted = rs.getLong("predicted");
              long correct = rs.getLong("correct");
              classes
                  .computeIfAbsent(key(rs), k -> new ArrayList<>())
                  .add(
                      new ClassFigures(
                          rs.getString("cls"),
                          labelled,
                          predicted,
                          correct,
                          predicted == 0 ? null : (double) correct / predicted,
                          labelled == 0 ? null : (double) correct / labelled));
            }
          }
          Map<String, Object[]> regression = new LinkedHashMap<>();
          try (ResultSet rs = query(conn, d, REGRESSION, by, model, includeShadow)) {
            while (rs.next()) {
              regression.put(
                  key(rs),
                  new Object[] {rs.getLong("n"), rs.getDouble("mae"), rs.getDouble("rmse")});
            }
          }
          List<String> keys = new ArrayList<>(accuracyN.keySet());
          regression.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
          keys.sort(null);
          List<Group> groups = new ArrayList<>();
          for (String k : keys) {
            Object[] r = regression.get(k);
            groups.add(
                new Group(
                    k,
                    accuracyN.containsKey(k) ? accuracyN.get(k)[0] : 0,
                    accuracy.get(k),
                    classes.getOrDefault(k, List.of()),
                    r == null ? 0 : (Long) r[0],
                    r == null ? null : (Double) r[1],
                    r == null ? null : (Double) r[2]));
          }
          try (PreparedStatement ps = conn.prepareStatement(UNMATCHED);
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Report(model, by, groups, rs.getLong(1), rs.getLong(2));
          }
        });
  }

  private static String key(ResultSet rs) throws SQLException {
    String k = rs.getString("k");
    return k == null ? "(none)" : k;
  }

  private static ResultSet query(
      Connection conn, Dialect d, String sql, By by, String model, boolean includeShadow)
      throws SQLException {
    String latestLabel = d.latest("label", "ts");
    String latestValue = d.latest("value", "ts");
    PreparedStatement ps =
        conn.prepareStatement(String.format(sql, by.column, latestLabel, latestValue));
    ps.setString(1, model);
    ps.setBoolean(2, includeShadow);
    // Closing the result set closes the statement with it.
    ps.closeOnCompletion();
    return ps.executeQuery();
  }
}
