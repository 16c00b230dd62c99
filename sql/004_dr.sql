-- Disaster recovery (seed 004): stored DR plans and workflows, their executions and every action's status.

CREATE TABLE dr_resources (
  kind       text NOT NULL CHECK (kind IN ('DRPlan', 'DRWorkflow')),
  namespace  text NOT NULL,
  name       text NOT NULL,
  body       jsonb NOT NULL,
  applied_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, namespace, name)
);

CREATE TABLE dr_executions (
  id               text PRIMARY KEY,
  plan_namespace   text NOT NULL,
  plan_name        text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('Execute', 'Revert')),
  phase            text NOT NULL DEFAULT 'Pending' CHECK (phase IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled')),
  -- `--param k=v` overrides the execution was started with.
  params           jsonb NOT NULL DEFAULT '{}',
  -- The plan and its workflows as they were when the execution started, so a resume or Revert renders the same actions.
  snapshot         jsonb NOT NULL,
  parent_id        text REFERENCES dr_executions (id),
  message          text,
  actor            text NOT NULL,
  cancel_requested boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  lease_holder     text,
  heartbeat_at     timestamptz,
  CHECK ((kind = 'Revert') = (parent_id IS NOT NULL))
);

-- One execution per plan at a time: a second Execute or Revert while one is Pending or Running is refused here.
CREATE UNIQUE INDEX dr_executions_one_active ON dr_executions (plan_namespace, plan_name) WHERE phase IN ('Pending', 'Running');
CREATE INDEX dr_executions_by_plan ON dr_executions (plan_namespace, plan_name, created_at DESC);

CREATE TABLE dr_action_statuses (
  execution_id text NOT NULL REFERENCES dr_executions (id) ON DELETE CASCADE,
  -- Execution order for display: stage, workflow and action positions folded into one number.
  position     integer NOT NULL,
  stage        text NOT NULL,
  workflow     text NOT NULL,
  action       text NOT NULL,
  type         text NOT NULL,
  phase        text NOT NULL DEFAULT 'Pending' CHECK (phase IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Skipped', 'Canceled', 'RolledBack')),
  attempts     integer NOT NULL DEFAULT 0,
  outputs      jsonb NOT NULL DEFAULT '{}',
  error        text,
  started_at   timestamptz,
  finished_at  timestamptz,
  PRIMARY KEY (execution_id, stage, workflow, action)
);
