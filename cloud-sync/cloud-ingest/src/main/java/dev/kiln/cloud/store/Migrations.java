package dev.kiln.cloud.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema: numbered scripts per dialect ({@code migrations/DIALECT/0001.sql}, {@code
 * 0002.sql}, ...; the first gap ends the list), each applied once and recorded in {@code
 * kiln_migrations}. All pending scripts run in one transaction, so a store is never left half
 * migrated. On PostgreSQL that transaction first takes an advisory lock: two replicas starting at
 * once migrate one after the other, and the second finds nothing left to do. (DuckDB has one
 * writing process per file, so it needs no lock.)
 */
final class Migrations {
  /** Arbitrary, fixed: the advisory lock key of Kiln's capture-store migrations. */
  static final long ADVISORY_LOCK_KEY = 0x4b494c4e_00000017L;

  private static final String TABLE =
      "CREATE TABLE IF NOT EXISTS kiln_migrations ("
          + " version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)";

  private Migrations() {}

  /** Applies what is pending; returns the schema version the store is now at. */
  static int apply(Connection c, Dialect dialect) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      if (dialect == Dialect.POSTGRESQL) {
        st.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK_KEY + ")");
      }
      st.execute(TABLE);
      int version = current(c);
      for (int next = version + 1; ; next++) {
        String script = script(dialect, next);
        if (script == null) {
          break;
        }
        for (String sql : statements(script)) {
          st.execute(sql);
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO kiln_migrations (version, applied_at) VALUES (?, current_timestamp)")) {
          ps.setInt(1, next);
          ps.executeUpdate();
        }
        version = next;
      }
      c.commit();
      return version;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  static int current(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM kiln_migrations")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String script(Dialect dialect, int version) {
    String name = String.format("migrations/%s/%04d.sql", dialect.folder(), version);
    try (InputStream in = Migrations.class.getResourceAsStream(name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }

  /** Statements end with a semicolon at the end of a line; lines starting {@code --} are notes. */
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
