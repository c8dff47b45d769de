-- The DuckDB schema as of schema version 4 (kiln_schema), written idempotently: a file created
-- before versioned migrations already has some of it, and this script brings it to the same place.
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
);
ALTER TABLE captures ADD COLUMN IF NOT EXISTS request_id VARCHAR;
ALTER TABLE captures ADD COLUMN IF NOT EXISTS output_first DOUBLE;
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
);
CREATE TABLE IF NOT EXISTS heartbeats (
  id VARCHAR PRIMARY KEY,
  device_id VARCHAR NOT NULL,
  ts TIMESTAMP NOT NULL,
  uptime_s BIGINT,
  payload VARCHAR
);
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
);
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
);
-- Kept for files read by an older Kiln, which looks for it.
CREATE TABLE IF NOT EXISTS kiln_schema (version INTEGER);
INSERT INTO kiln_schema SELECT 4 WHERE NOT EXISTS (SELECT 1 FROM kiln_schema);
UPDATE kiln_schema SET version = 4;
