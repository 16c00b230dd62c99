-- DR executions, second pass (seed 004 / BCS bcs-drplan-controller):
-- * the cancelled phase is spelled "Canceled", as BCS's PhaseCancelled and as dr_action_statuses already spell it;
-- * where the plan came from (stored with `dr apply`, or a custom resource in a cluster), for display;
-- * whether a Revert was started automatically (the plan's rollbackOnFailure) rather than by someone.

ALTER TABLE dr_executions DROP CONSTRAINT dr_executions_phase_check;
UPDATE dr_executions SET phase = 'Canceled' WHERE phase = 'Cancelled';
ALTER TABLE dr_executions ADD CONSTRAINT dr_executions_phase_check
  CHECK (phase IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Canceled'));

ALTER TABLE dr_executions ADD COLUMN plan_source text NOT NULL DEFAULT 'stored';
ALTER TABLE dr_executions ADD COLUMN automatic boolean NOT NULL DEFAULT false;

CREATE INDEX dr_executions_by_parent ON dr_executions (parent_id) WHERE parent_id IS NOT NULL;
