-- The cloud service's durable inbox: one row per request, its arrival order from a sequence.
CREATE TABLE service_inbox (
  request_id text PRIMARY KEY,
  seq        bigserial NOT NULL UNIQUE,
  state      text NOT NULL,
  body       text NOT NULL
);
CREATE INDEX service_inbox_queued ON service_inbox (seq) WHERE state = 'QUEUED';
