package dev.kiln.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way Kiln brings a database's tables up to date, on DuckDB and on PostgreSQL alike. Each
 * table set is its own {@link SchemaSeries}, so the captures, the fleet state and the cloud
 * service's tables are versioned independently in one table:
 *
 * <pre>kiln_schema_versions (series, version, applied_at), primary key (series, version)</pre>
 *
 * <p>Contract: all pending scripts of a series run in one transaction with the rows that record
 * them, so a schema is never left half migrated; {@link #apply} returns only once they are
 * committed. On PostgreSQL the transaction first takes one advisory lock shared by every series:
 * replicas that start together migrate one after the other, and the second finds nothing to do.
 * (DuckDB has one writing process per file, so it needs no lock.) A database at a newer version
 * than the scripts reach is refused ({@link NewerSchemaException}), not written to.
 */
public final class SchemaMigrations {
  /** Arbitrary, fixed: the advisory lock key of every Kiln migration. */
  static final long ADVISORY_LOCK_KEY = 0x4b494c4e_00000017L;

  static final String TABLE = "kiln_schema_versions";

  /** The engines Kiln migrates; they differ in locking and in how a script is sent. */
  public enum Engine {
    /** One writing process per file: no lock; scripts split into statements (see below). */
    DUCKDB,
    /** Shared by replicas: advisory lock; each script sent whole (the driver splits it). */
    POSTGRESQL
  }

  /** The database is at a version this program's scripts do not reach: run the newer Kiln. */
  public static final class NewerSchemaException extends SQLException {
    NewerSchemaException(String message) {
      super(message);
    }
  }

  private SchemaMigrations() {}

  /** Applies what is pending of {@code series}; returns the version it is now at. */
  public static int apply(Connection c, Engine engine, SchemaSeries series) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      if (engine == Engine.POSTGRESQL) {
        st.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK_KEY + ")");
      }
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + TABLE
              + " (series VARCHAR NOT NULL, version INTEGER NOT NULL,"
              + " applied_at TIMESTAMP NOT NULL, PRIMARY KEY (series, version))");
      int version = current(c, series.name());
      if (version == 0 && series.legacy() != null) {
        version = adopt(c, series);
      }
      if (version > series.latest()) {
        throw new NewerSchemaException(
            "the "
                + series.name()
                + " tables are at schema version "
                + version
                + " but this kiln knows only up to "
                + series.latest()
                + "; run the newer kiln");
      }
      for (int next = version + 1; next <= series.latest(); next++) {
        String script = series.script(next);
        if (engine == Engine.POSTGRESQL) {
          st.execute(script);
        } else {
          for (String sql : statements(script)) {
            st.execute(sql);
          }
        }
        record(c, series.name(), next);
      }
      c.commit();
      return series.latest();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** The version {@code series} is at: 0 when nothing of it was applied (or no table yet). */
  public static int current(Connection c, String series) throws SQLException {
    if (!tableExists(c, TABLE)) {
      return 0;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT coalesce(max(version), 0) FROM " + TABLE + " WHERE series = ?")) {
      ps.setString(1, series);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Records the versions an older Kiln kept in its own table, as applied; returns the newest. */
  private static int adopt(Connection c, SchemaSeries series) throws SQLException {
    SchemaSeries.Legacy legacy = series.legacy();
    if (!tableExists(c, legacy.table())) {
      return 0;
    }
    int newest = 0;
    String query =
        "SELECT DISTINCT "
            + legacy.column()
            + " FROM "
            + legacy.table()
            + (legacy.componentColumn() == null
                ? ""
                : " WHERE " + legacy.componentColumn() + " = ?")
            + " ORDER BY 1";
    try (PreparedStatement ps = c.prepareStatement(query)) {
      if (legacy.componentColumn() != null) {
        ps.setString(1, series.name());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          newest = Math.max(newest, rs.getInt(1));
        }
      }
    }
    for (int v = 1; v <= newest; v++) {
      record(c, series.name(), v);
    }
    return newest;
  }

  private static void record(Connection c, String series, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " (series, version, applied_at) VALUES (?, ?, current_timestamp)")) {
      ps.setString(1, series);
      ps.setInt(2, version);
      ps.executeUpdate();
    }
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
                + " AND table_schema = current_schema()")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  /**
   * A DuckDB script's statements: each ends with a semicolon at the end of a line; lines starting
   * {@code --} are notes.
   */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (line.stripTrailing().endsWith(";")) {
        String sql = current.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }
}
