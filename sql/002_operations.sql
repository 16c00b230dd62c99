-- Journaled operations (environment create/delete, repairs): ordered steps with their status and outputs,
-- so a killed process leaves work that `fleetdeck ops resume` finishes and `ops undo` compensates.

CREATE TABLE operations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  target text NOT NULL,
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'succeeded', 'failed', 'undoing', 'undone', 'undo_failed')),
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  error text,
  hint text,
  warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
  actor text NOT NULL,
  lease_holder text,
  lease_pid integer,
  lease_host text,
  heartbeat_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

-- One unfinished operation per target: a crashed one must be resumed or undone before another starts.
CREATE UNIQUE INDEX operations_one_active_per_target ON operations (target)
  WHERE status IN ('running', 'undoing');
CREATE INDEX operations_created_at_idx ON operations (created_at DESC);

CREATE TABLE operation_steps (
  operation_id bigint NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
  position integer NOT NULL,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'started', 'succeeded', 'failed', 'skipped', 'compensating', 'compensated')),
  attempts integer NOT NULL DEFAULT 0,
  outputs jsonb NOT NULL DEFAULT '{}'::jsonb,
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (operation_id, position)
);
