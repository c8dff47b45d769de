package dev.kiln.cloud.store;

import java.util.List;

/**
 * The DuckDB schema, version 4 (v2 added {@code captures.request_id}, v3 the {@code
 * drift_violations} table of {@code kiln monitor}, v4 the {@code feedback} table and {@code
 * captures.output_first}, the first value of the first output, which regression quality compares
 * with; captures stored before v4 have none). Statements are idempotent, and later columns are
 * added with {@code ADD COLUMN IF NOT EXISTS}, so opening an older file upgrades it in place.
 */
final class Schema {
  static final int VERSION = 4;

  static final List<String> STATEMENTS =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS captures (
            id VARCHAR PRIMARY KEY,
            device_id VARCHAR NOT NULL,
            model VARCHAR NOT NULL,
            version VARCHAR,
            variant VARCHAR,
            ts TIMESTAMP NOT NULL,
            latency_ms DOUBLE,
            shadow BOOLEAN,
            truncated BOOLEAN,
            output_top INTEGER,
            output_max DOUBLE,
            inputs VARCHAR,
            outputs VARCHAR,
            batch_id VARCHAR,
            ingested_at TIMESTAMP DEFAULT current_timestamp
          )""",
          "ALTER TABLE captures ADD COLUMN IF NOT EXISTS request_id VARCHAR",
          """
          CREATE TABLE IF NOT EXISTS devices (
            device_id VARCHAR PRIMARY KEY,
            state VARCHAR,
            reason VARCHAR,
            connected_at TIMESTAMP,
            status_at TIMESTAMP,
            last_heartbeat_at TIMESTAMP,
            agent_version VARCHAR,
            models VARCHAR,
            metrics VARCHAR,
            link VARCHAR
          )""",
          """
          CREATE TABLE IF NOT EXISTS heartbeats (
            id VARCHAR PRIMARY KEY,
            device_id VARCHAR NOT NULL,
            ts TIMESTAMP NOT NULL,
            uptime_s BIGINT,
            payload VARCHAR
          )""",
          """
          CREATE TABLE IF NOT EXISTS drift_violations (
            detected_at TIMESTAMP NOT NULL,
            window_start TIMESTAMP NOT NULL,
            window_end TIMESTAMP NOT NULL,
            model VARCHAR NOT NULL,
            scope VARCHAR NOT NULL,
            version VARCHAR,
            device_id VARCHAR,
            feature VARCHAR NOT NULL,
            measure VARCHAR NOT NULL,
            value DOUBLE NOT NULL,
            threshold DOUBLE NOT NULL,
            records BIGINT NOT NULL
          )""",
          "ALTER TABLE captures ADD COLUMN IF NOT EXISTS output_first DOUBLE",
          """
          CREATE TABLE IF NOT EXISTS feedback (
            id VARCHAR PRIMARY KEY,
            request_id VARCHAR NOT NULL,
            device_id VARCHAR,
            source VARCHAR NOT NULL,
            ts TIMESTAMP NOT NULL,
            label VARCHAR,
            value DOUBLE,
            reward DOUBLE,
            batch_id VARCHAR,
            ingested_at TIMESTAMP DEFAULT current_timestamp
          )""",
          "CREATE TABLE IF NOT EXISTS kiln_schema (version INTEGER)");

  private Schema() {}
}
