-- Fleet state of the console (devices, deployments with one row per device, commands as sent,
-- queued requests) and the leader lease whose epoch fences every write.
CREATE TABLE fleet_devices (
  device_id  text PRIMARY KEY,
  record     text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE fleet_deployments (
  id         text PRIMARY KEY,
  created_at bigint NOT NULL,
  state      text NOT NULL,
  header     text NOT NULL
);
CREATE TABLE fleet_deployment_devices (
  deployment_id text NOT NULL REFERENCES fleet_deployments (id),
  device_id     text NOT NULL,
  pos           int NOT NULL,
  status        text NOT NULL,
  command_id    text,
  row_json      text NOT NULL,
  PRIMARY KEY (deployment_id, device_id)
);
CREATE TABLE fleet_commands (
  command_id    text PRIMARY KEY,
  device_id     text NOT NULL,
  deployment_id text,
  body          bytea NOT NULL,
  epoch         bigint NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE fleet_requests (
  id   text PRIMARY KEY,
  at   bigint NOT NULL,
  body text NOT NULL,
  done boolean NOT NULL DEFAULT false
);
CREATE TABLE fleet_lease (
  name       text PRIMARY KEY,
  holder     text,
  epoch      bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
INSERT INTO fleet_lease (name, holder, epoch, expires_at) VALUES ('console', NULL, 0, '-infinity');
-- The audit log: append-only, each line carrying the SHA-256 of the line before it.
CREATE TABLE fleet_audit (
  seq  bigserial PRIMARY KEY,
  line bytea NOT NULL,
  hash text NOT NULL
);
CREATE FUNCTION fleet_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
  'BEGIN RAISE EXCEPTION ''the audit log is append-only''; END';
CREATE TRIGGER fleet_audit_no_change BEFORE UPDATE OR DELETE ON fleet_audit
  FOR EACH ROW EXECUTE FUNCTION fleet_audit_append_only();
