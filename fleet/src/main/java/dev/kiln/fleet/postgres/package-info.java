/**
 * Fleet state on PostgreSQL, for console replicas: {@link
 * dev.kiln.fleet.postgres.PostgresFleetState} (devices, deployments with a row per device, recorded
 * commands, the audit log, queued requests), {@link dev.kiln.fleet.postgres.FleetSchema} (versioned
 * migrations applied at start under an advisory lock) and {@link
 * dev.kiln.fleet.postgres.LeaderLease} (the lease row whose epoch fences every write). The only
 * package that knows JDBC.
 */
package dev.kiln.fleet.postgres;
