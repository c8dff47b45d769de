package dev.kiln.cloud.store;

/**
 * The SQL dialect of a capture store. Most queries are the same on both (PostgreSQL gets an {@code
 * epoch_ms(bigint)} function in its first migration, so timestamps are written alike). The few
 * aggregates that the two spell differently are named here once ({@link #percentile}, {@link
 * #latest}, {@link #mode}, {@link #epochMs}); a query that differs in more than that keeps both
 * versions side by side in the one class that runs it, chosen with {@link #pick}.
 *
 * <p>DuckDB-only syntax ({@code GROUP BY ALL}, {@code ORDER BY ALL}, {@code QUALIFY}) is not used
 * by Kiln's queries: they name their grouping columns, which both engines accept.
 */
public enum Dialect {
  DUCKDB,
  POSTGRESQL;

  /** {@code duckdb} when this is DuckDB, else {@code postgresql}. */
  public String pick(String duckdb, String postgresql) {
    return this == DUCKDB ? duckdb : postgresql;
  }

  /** The continuous percentile {@code p} (0..1) of {@code column}, as an aggregate. */
  public String percentile(double p, String column) {
    return pick(
        "quantile_cont(" + column + ", " + p + ")",
        "percentile_cont(" + p + ") WITHIN GROUP (ORDER BY " + column + ")");
  }

  /** The {@code value} of the row with the greatest {@code by}, as an aggregate (arg_max). */
  public String latest(String value, String by) {
    return pick(
        "arg_max(" + value + ", " + by + ")",
        "(array_agg(" + value + " ORDER BY " + by + " DESC))[1]");
  }

  /** The most frequent value of {@code column}, as an aggregate. */
  public String mode(String column) {
    return pick("mode(" + column + ")", "mode() WITHIN GROUP (ORDER BY " + column + ")");
  }

  /**
   * Milliseconds since the epoch of a TIMESTAMP expression, as BIGINT. (PostgreSQL's {@code
   * epoch_ms} goes the other way only: bigint to timestamp. To select a time range, compare the
   * column with {@code epoch_ms(?)} instead, which both accept and which can use an index.)
   */
  public String epochMs(String timestamp) {
    return pick(
        "epoch_ms(" + timestamp + ")",
        "CAST(floor(extract(epoch FROM " + timestamp + ") * 1000) AS BIGINT)");
  }

  /** Microseconds since the epoch of a TIMESTAMP expression, as BIGINT (for exact cursors). */
  public String epochUs(String timestamp) {
    return pick(
        "epoch_us(" + timestamp + ")",
        "CAST(floor(extract(epoch FROM " + timestamp + ") * 1000000) AS BIGINT)");
  }

  /** The folder of this dialect's migration scripts under {@code store/migrations/}. */
  String folder() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
