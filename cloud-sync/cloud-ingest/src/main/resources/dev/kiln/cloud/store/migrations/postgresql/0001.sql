-- The capture schema on PostgreSQL: the same tables and columns as DuckDB's, with PostgreSQL's
-- type names. Times are UTC in TIMESTAMP (without time zone) columns, as in DuckDB.
-- epoch_ms(bigint) is DuckDB's built-in; with it the ingest and monitoring SQL is one text for both.
CREATE FUNCTION epoch_ms(bigint) RETURNS timestamp
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT TIMESTAMP '1970-01-01 00:00:00' + $1 * INTERVAL '1 millisecond' $$;
CREATE TABLE captures (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  model TEXT NOT NULL,
  version TEXT,
  variant TEXT,
  ts TIMESTAMP NOT NULL,
  latency_ms DOUBLE PRECISION,
  shadow BOOLEAN,
  truncated BOOLEAN,
  output_top INTEGER,
  output_max DOUBLE PRECISION,
  inputs TEXT,
  outputs TEXT,
  batch_id TEXT,
  ingested_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'UTC'),
  request_id TEXT,
  output_first DOUBLE PRECISION
);
-- Exports, stats and drift windows select by model and time; feedback joins by request id.
CREATE INDEX captures_model_ts ON captures (model, ts);
CREATE INDEX captures_request_id ON captures (request_id);
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  state TEXT,
  reason TEXT,
  connected_at TIMESTAMP,
  status_at TIMESTAMP,
  last_heartbeat_at TIMESTAMP,
  agent_version TEXT,
  models TEXT,
  metrics TEXT,
  link TEXT
);
CREATE TABLE heartbeats (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  ts TIMESTAMP NOT NULL,
  uptime_s BIGINT,
  payload TEXT
);
CREATE TABLE drift_violations (
  detected_at TIMESTAMP NOT NULL,
  window_start TIMESTAMP NOT NULL,
  window_end TIMESTAMP NOT NULL,
  model TEXT NOT NULL,
  scope TEXT NOT NULL,
  version TEXT,
  device_id TEXT,
  feature TEXT NOT NULL,
  measure TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  records BIGINT NOT NULL
);
CREATE TABLE feedback (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  device_id TEXT,
  source TEXT NOT NULL,
  ts TIMESTAMP NOT NULL,
  label TEXT,
  value DOUBLE PRECISION,
  reward DOUBLE PRECISION,
  batch_id TEXT,
  ingested_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'UTC')
);
-- DuckDB's round(DOUBLE, INTEGER); PostgreSQL rounds to a number of places only as NUMERIC.
CREATE FUNCTION round(double precision, integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT round($1::numeric, $2)::double precision $$;
