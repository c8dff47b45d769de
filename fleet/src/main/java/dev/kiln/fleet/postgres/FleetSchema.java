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
 * The fleet tables' versioned migrations ({@code V1__fleet_state.sql}, ... beside this class),
 * applied at start in one transaction under an advisory lock, so replicas starting together apply
 * each migration once. Applied versions are rows of {@code kiln_schema} (component {@code fleet}).
 * A database newer than this program (a version it does not know) is refused, not written to.
 */
public final class FleetSchema {
  static final String COMPONENT = "fleet";

  /** Every migration, oldest first; a new one is appended, never edited once released. */
  static final List<String> MIGRATIONS = List.of("V1__fleet_state.sql");

  /** Any constant both sides agree on: the advisory lock that serializes migrations. */
  private static final long LOCK = 0x6b696c6e_666c7431L;

  private FleetSchema() {}

  /** Brings the schema to the newest version; returns the version it is at. */
  public static int migrate(Connection c) {
    try {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
        s.execute(
            "CREATE TABLE IF NOT EXISTS kiln_schema (component text NOT NULL, version int NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))");
        int current = current(c);
        if (current > MIGRATIONS.size()) {
          throw new FleetException(
              FleetErrorCode.CONFIG_INVALID,
              "the fleet tables are at schema version "
                  + current
                  + " but this kiln knows only up to "
                  + MIGRATIONS.size()
                  + "; run the newer kiln");
        }
        for (int v = current + 1; v <= MIGRATIONS.size(); v++) {
          s.execute(script(MIGRATIONS.get(v - 1)));
          try (PreparedStatement p =
              c.prepareStatement("INSERT INTO kiln_schema (component, version) VALUES (?, ?)")) {
            p.setString(1, COMPONENT);
            p.setInt(2, v);
            p.executeUpdate();
          }
        }
        c.commit();
        return MIGRATIONS.size();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO, "cannot migrate the fleet tables: " + e.getMessage(), e);
    }
  }

  private static int current(Connection c) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT coalesce(max(version), 0) FROM kiln_schema WHERE component = ?")) {
      p.setString(1, COMPONENT);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  private static String script(String name) {
    try (InputStream in = FleetSchema.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("migration " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + name, e);
    }
  }
}
