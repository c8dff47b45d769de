package dev.kiln.cli.loop;

import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.cloud.store.QueryResult;
import java.time.Duration;
import java.util.List;

/**
 * Field accuracy of each version over one phase's requests, from the cloud store: each capture's
 * predicted class ({@code output_top}) against its request's latest label. Served and shadow
 * predictions are kept apart, so a shadow is judged on the very requests the serving version
 * answered. Read-only SQL through {@link CaptureQueries}, the store's query side.
 */
final class FieldAccuracy {
  /**
   * @param version the version that predicted
   * @param shadow whether it ran as a shadow (answers discarded)
   * @param labelled its captures with a label in the phase
   */
  record Figure(String version, boolean shadow, long labelled, double accuracy) {}

  private FieldAccuracy() {}

  static List<Figure> of(CaptureQueries queries, String model, String requestPrefix) {
    QueryResult r =
        queries.query(
            "WITH l AS (SELECT request_id, "
                + queries.dialect().latest("label", "ts")
                + " AS label FROM feedback WHERE label IS NOT NULL GROUP BY request_id)"
                + " SELECT version, coalesce(shadow, false) AS shadow, count(*) AS n,"
                + " avg(CASE WHEN CAST(output_top AS VARCHAR) = label THEN 1.0 ELSE 0.0 END)"
                + " FROM captures JOIN l USING (request_id)"
                + " WHERE model = "
                + literal(model)
                + " AND request_id LIKE "
                + literal(requestPrefix + "%")
                + " GROUP BY version, coalesce(shadow, false) ORDER BY version, shadow");
    return r.rows().stream()
        .map(
            row ->
                new Figure(
                    String.valueOf(row.get(0)),
                    (Boolean) row.get(1),
                    ((Number) row.get(2)).longValue(),
                    ((Number) row.get(3)).doubleValue()))
        .toList();
  }

  /** The figure of {@code version} in that role, or null. */
  static Figure find(List<Figure> figures, String version, boolean shadow) {
    return figures.stream()
        .filter(f -> f.version().equals(version) && f.shadow() == shadow)
        .findFirst()
        .orElse(null);
  }

  /**
   * Captures and labels of the phase stored so far: {serving captures, shadow captures, labels}.
   */
  static long[] stored(CaptureQueries queries, String model, String requestPrefix) {
    QueryResult r =
        queries.query(
            "SELECT"
                + " (SELECT count(*) FROM captures WHERE model = "
                + literal(model)
                + " AND request_id LIKE "
                + literal(requestPrefix + "%")
                + " AND NOT coalesce(shadow, false)),"
                + " (SELECT count(*) FROM captures WHERE model = "
                + literal(model)
                + " AND request_id LIKE "
                + literal(requestPrefix + "%")
                + " AND coalesce(shadow, false)),"
                + " (SELECT count(DISTINCT request_id) FROM feedback WHERE request_id LIKE "
                + literal(requestPrefix + "%")
                + ")");
    List<Object> row = r.rows().get(0);
    return new long[] {
      ((Number) row.get(0)).longValue(),
      ((Number) row.get(1)).longValue(),
      ((Number) row.get(2)).longValue()
    };
  }

  /** Waits until a phase's captures (serving and shadow) and labels are all in the store. */
  static void awaitStored(
      CaptureQueries queries, String prefix, long serving, long shadow, long labels)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    long[] have = FieldAccuracy.stored(queries, LoopTask.MODEL, prefix);
    while (have[0] < serving || have[1] < shadow || have[2] < labels) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            String.format(
                "%s*: %d/%d captures, %d/%d shadow captures, %d/%d labels reached the store within a minute",
                prefix, have[0], serving, have[1], shadow, have[2], labels));
      }
      Thread.sleep(200);
      have = FieldAccuracy.stored(queries, LoopTask.MODEL, prefix);
    }
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
