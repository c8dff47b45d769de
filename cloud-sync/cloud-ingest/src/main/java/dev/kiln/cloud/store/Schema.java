package dev.kiln.cloud.store;

import java.util.List;

/** The DuckDB schema, version 1. Statements are idempotent so opening an old file is safe. */
final class Schema {
  static final int VERSION = 1;

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
          "CREATE TABLE IF NOT EXISTS kiln_schema (version INTEGER)");

  private Schema() {}
}
