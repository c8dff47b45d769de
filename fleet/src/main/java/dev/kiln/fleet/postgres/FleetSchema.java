package dev.kiln.fleet.postgres;

import java.sql.Connection;
import java.util.List;

/**
 * The fleet tables' versioned migrations ({@code V1__fleet_state.sql}, ... beside this class),
 * applied at start by {@link SchemaMigrations} (component {@code fleet}).
 */
public final class FleetSchema {
  static final String COMPONENT = "fleet";

  /** Every migration, oldest first; a new one is appended, never edited once released. */
  static final List<String> MIGRATIONS = List.of("V1__fleet_state.sql");

  private FleetSchema() {}

  /** Brings the fleet tables to the newest version; returns the version they are at. */
  public static int migrate(Connection c) {
    return SchemaMigrations.apply(c, COMPONENT, FleetSchema.class, MIGRATIONS);
  }
}
