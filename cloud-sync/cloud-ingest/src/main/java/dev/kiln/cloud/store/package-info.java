/**
 * The capture store, DuckDB (the embedded default) or PostgreSQL (shared by ingest replicas),
 * behind one interface: captures, devices, heartbeats, feedback and drift violations; numbered
 * schema migrations per dialect; transactional writes that de-duplicate by record id; the queries
 * and exports behind {@code kiln data}.
 */
package dev.kiln.cloud.store;
