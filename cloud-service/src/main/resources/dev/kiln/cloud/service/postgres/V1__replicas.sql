-- Where each service replica serves its API, keyed by the holder name it takes the leader lease
-- under (fleet_lease.holder), so a follower finds the leader's API by joining the two; and the id
-- of the console key it signs with, so a replica with another key is noticed at its start.
CREATE TABLE service_replicas (
  holder      text PRIMARY KEY,
  api_url     text NOT NULL,
  console_key text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now()
);
