-- When each replica last said it is alive, so the leader can remove the rows of replicas gone for
-- good (every start under a new pid@host adds a row).
ALTER TABLE service_replicas ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now();
