/** dr_action_statuses: one statement per transition, so a crash never loses a recorded phase. */
import type { Queryable } from '../../db/database.js';
import type { ActionOutputs, ActionPhase, ActionType } from '../schema/types.js';
import { iso } from './executions.js';
import type { ActionKey, ActionStatusRecord } from './types.js';

interface StatusRow {
  position: number;
  stage: string;
  workflow: string;
  action: string;
  type: ActionType;
  phase: ActionPhase;
  attempts: number;
  outputs: ActionOutputs;
  error: string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

export async function listActionStatuses(db: Queryable, executionId: string): Promise<ActionStatusRecord[]> {
  const rows = await db.query<StatusRow>(
    `SELECT position, stage, workflow, action, type, phase, attempts, outputs, error, started_at, finished_at
     FROM dr_action_statuses WHERE execution_id = $1 ORDER BY position`, [executionId]);
  return rows.rows.map((r) => ({
    position: r.position, stage: r.stage, workflow: r.workflow, action: r.action, type: r.type, phase: r.phase, attempts: r.attempts,
    outputs: r.outputs, error: r.error, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
  }));
}

const WHERE = 'execution_id = $1 AND stage = $2 AND workflow = $3 AND action = $4';
const keyParams = (id: string, k: ActionKey): unknown[] => [id, k.stage, k.workflow, k.action];

/** Starts an attempt: Running, attempts + 1. */
export async function markRunning(db: Queryable, id: string, key: ActionKey): Promise<number> {
  const rows = await db.query<{ attempts: number }>(
    `UPDATE dr_action_statuses SET phase = 'Running', attempts = attempts + 1, error = NULL, started_at = coalesce(started_at, now())
     WHERE ${WHERE} RETURNING attempts`, keyParams(id, key));
  return rows.rows[0]?.attempts ?? 0;
}

/** Records outputs known before the action finishes (the created Job's name), so a resume finds them. */
export async function recordOutputs(db: Queryable, id: string, key: ActionKey, outputs: ActionOutputs): Promise<void> {
  await db.query(`UPDATE dr_action_statuses SET outputs = $5 WHERE ${WHERE}`, [...keyParams(id, key), JSON.stringify(outputs)]);
}

/** A failed attempt that will be retried: stays Running, with the error shown. */
export async function recordAttemptError(db: Queryable, id: string, key: ActionKey, error: string): Promise<void> {
  await db.query(`UPDATE dr_action_statuses SET error = $5 WHERE ${WHERE}`, [...keyParams(id, key), error]);
}

export async function markFinished(db: Queryable, id: string, key: ActionKey, phase: ActionPhase, outputs: ActionOutputs | null, error: string | null): Promise<void> {
  await db.query(
    `UPDATE dr_action_statuses SET phase = $5, outputs = coalesce($6::jsonb, outputs), error = $7, finished_at = now() WHERE ${WHERE}`,
    [...keyParams(id, key), phase, outputs === null ? null : JSON.stringify(outputs), error]);
}

/** Marks many actions at once (skipped after a failure, or cancelled). */
export async function markMany(db: Queryable, id: string, keys: readonly ActionKey[], phase: ActionPhase, error: string | null): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `UPDATE dr_action_statuses s SET phase = $5, error = $6, finished_at = now()
     FROM unnest($2::text[], $3::text[], $4::text[]) AS k(stage, workflow, action)
     WHERE s.execution_id = $1 AND s.stage = k.stage AND s.workflow = k.workflow AND s.action = k.action`,
    [id, keys.map((k) => k.stage), keys.map((k) => k.workflow), keys.map((k) => k.action), phase, error]);
}
