-- Environment lifecycle and drift repair (seeds 001/002).

-- Which `env.create` operation inserted a row, written in the same transaction as the row: a resumed create
-- reuses its own row and never mistakes someone else's for it.
CREATE TABLE cluster_origins (
  cluster_name varchar(63) PRIMARY KEY REFERENCES clusters (name) ON DELETE CASCADE ON UPDATE CASCADE,
  operation_id bigint NOT NULL REFERENCES operations (id) ON DELETE CASCADE
);

-- A repair plan: the drift items it answers, the actions chosen for them, and the fingerprint of the inventory
-- and the snapshot it was made from. Applying refuses a plan whose fingerprint no longer matches (stale).
CREATE TABLE drift_plans (
  id text PRIMARY KEY,
  fingerprint text NOT NULL,
  items jsonb NOT NULL,
  actions jsonb NOT NULL,
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'applying', 'applied', 'failed', 'refused')),
  actor text NOT NULL,
  operation_id bigint REFERENCES operations (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz
);
CREATE INDEX drift_plans_created_at_idx ON drift_plans (created_at DESC);
