package dev.kiln.fleet.postgres;

import dev.kiln.schema.SchemaSeries;

/**
 * The fleet tables' versioned migrations ({@code V1__fleet_state.sql}, ... beside this class):
 * series {@code fleet} of Kiln's one migration mechanism, applied when a {@link
 * ReconnectingConnection} of the fleet state or the leader lease opens.
 */
public final class FleetSchema {
  /** Every migration, oldest first; a new one is appended, never edited once released. */
  public static final SchemaSeries SERIES =
      SchemaSeries.of("fleet", FleetSchema.class, "V1__fleet_state.sql")
          .adoptingPostgresComponent();

  private FleetSchema() {}
}
