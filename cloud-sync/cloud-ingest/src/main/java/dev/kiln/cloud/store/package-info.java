/**
 * The DuckDB store of captures, devices and heartbeats: its schema and upgrades, transactional
 * writes that de-duplicate by record id, and the queries behind {@code kiln data}.
 */
package dev.kiln.cloud.store;
