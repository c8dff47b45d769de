package dev.kiln.cloud.store;

import dev.kiln.schema.SchemaMigrations;
import dev.kiln.schema.SchemaSeries;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The capture store's schema: series {@code captures} of Kiln's one migration mechanism ({@link
 * SchemaMigrations}), numbered scripts per dialect in {@code migrations/DIALECT/0001.sql}, {@code
 * 0002.sql}, ... beside this class. A DuckDB file whose versions an older Kiln recorded in {@code
 * kiln_migrations} keeps them.
 */
final class Migrations {
  static final String SERIES = "captures";

  private Migrations() {}

  /** Applies what is pending; returns the schema version the store is now at. */
  static int apply(Connection c, Dialect dialect) throws SQLException {
    return SchemaMigrations.apply(
        c,
        dialect == Dialect.POSTGRESQL
            ? SchemaMigrations.Engine.POSTGRESQL
            : SchemaMigrations.Engine.DUCKDB,
        series(dialect));
  }

  /** The version the store is at; 0 when it has no capture schema. */
  static int current(Connection c) throws SQLException {
    return SchemaMigrations.current(c, SERIES);
  }

  static SchemaSeries series(Dialect dialect) {
    return SchemaSeries.numbered(SERIES, Migrations.class, "migrations/" + dialect.folder())
        .adopting("kiln_migrations", "version");
  }
}
