-- The API's tokens, shared by service replicas: only each token's SHA-256 is kept.
CREATE TABLE service_tokens (
  sha256     text PRIMARY KEY,
  name       text NOT NULL,
  role       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
