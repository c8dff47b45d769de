package dev.kiln.fleet.postgres;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned migrations of one component's tables (the fleet's, the cloud service's inbox): scripts
 * named in order, read from beside an anchor class, applied at start in one transaction under an
 * advisory lock per component, so replicas starting together apply each script once. Applied
 * versions are rows of {@code kiln_schema (component, version)}. A database at a version this
 * program does not know is refused, not written to.
 */
public final class SchemaMigrations {
  /** Any constant: with the component's hash, the advisory lock that serializes migrations. */
  private static final long LOCK = 0x6b696c6e_00000000L;

  private SchemaMigrations() {}

  /** Brings {@code component} to the newest of {@code scripts}; returns that version. */
  public static int apply(Connection c, String component, Class<?> anchor, List<String> scripts) {
    try {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(
            "SELECT pg_advisory_xact_lock(" + (LOCK | (component.hashCode() & 0xffffffffL)) + ")");
        s.execute(
            "CREATE TABLE IF NOT EXISTS kiln_schema (component text NOT NULL, version int NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))");
        int current = current(c, component);
        if (current > scripts.size()) {
          throw new FleetException(
              FleetErrorCode.CONFIG_INVALID,
              "the "
                  + component
                  + " tables are at schema version "
                  + current
                  + " but this kiln knows only up to "
                  + scripts.size()
                  + "; run the newer kiln");
        }
        for (int v = current + 1; v <= scripts.size(); v++) {
          s.execute(script(anchor, scripts.get(v - 1)));
          try (PreparedStatement p =
              c.prepareStatement("INSERT INTO kiln_schema (component, version) VALUES (?, ?)")) {
            p.setString(1, component);
            p.setInt(2, v);
            p.executeUpdate();
          }
        }
        c.commit();
        return scripts.size();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO,
          "cannot migrate the " + component + " tables: " + e.getMessage(),
          e);
    }
  }

  private static int current(Connection c, String component) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT coalesce(max(version), 0) FROM kiln_schema WHERE component = ?")) {
      p.setString(1, component);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  private static String script(Class<?> anchor, String name) {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("migration " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + name, e);
    }
  }
}
