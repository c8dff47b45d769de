/**
 * Fleet state on PostgreSQL, for console replicas: {@link
 * dev.kiln.fleet.postgres.PostgresFleetState} (devices, deployments with a row per device, recorded
 * commands, the audit log, queued requests), {@link dev.kiln.fleet.postgres.FleetSchema} (the
 * {@code fleet} series of Kiln's versioned migrations, applied at start under an advisory lock),
 * {@link dev.kiln.fleet.postgres.LeaderLease} (the lease row whose epoch fences every write) and
 * {@link dev.kiln.fleet.postgres.ReconnectingConnection} (the one lazily opened, self-healing
 * connection each of them, and the cloud service's PostgreSQL tables, work through). The only
 * package of the fleet module that knows JDBC.
 */
package dev.kiln.fleet.postgres;
