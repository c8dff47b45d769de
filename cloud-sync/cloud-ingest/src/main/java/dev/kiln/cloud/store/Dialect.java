package dev.kiln.cloud.store;

/**
 * The SQL dialect of a capture store. Most queries are the same on both (PostgreSQL gets an {@code
 * epoch_ms(bigint)} function in its first migration, so timestamps are written alike); a query that
 * differs keeps both versions side by side in the one class that runs it, chosen with {@link
 * #pick}.
 */
public enum Dialect {
  DUCKDB,
  POSTGRESQL;

  /** {@code duckdb} when this is DuckDB, else {@code postgresql}. */
  public String pick(String duckdb, String postgresql) {
    return this == DUCKDB ? duckdb : postgresql;
  }

  /** The folder of this dialect's migration scripts under {@code store/migrations/}. */
  String folder() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
