-- The artifacts registered with or deployed by the service, shared by its replicas, so that an id
-- listed through one replica names the same archive on every other (the archives themselves are
-- files at the same path on each replica).
CREATE TABLE service_artifacts (
  id         text PRIMARY KEY,
  model      text NOT NULL,
  version    text NOT NULL,
  target     text NOT NULL,
  path       text NOT NULL,
  signed_by  text,
  size_bytes bigint NOT NULL,
  created_at text NOT NULL,
  listed     bigserial NOT NULL
);
CREATE INDEX service_artifacts_path ON service_artifacts (path);
