/**
 * {@code kiln fleet compare}: a deployment's new version against the old, from the captures and
 * heartbeats in the cloud store. Here rather than in the fleet module because it reads the DuckDB
 * that cloud-ingest writes.
 */
package dev.kiln.cli.fleet;
