/**
 * dr_action_statuses: one statement per transition, so a crash never loses a recorded phase. Every write is fenced
 * by the execution's lease: it lands only while `holder` still holds the lease (the execution row is share-locked
 * for the statement, so a takeover waits for it and a write that comes after a takeover matches nothing). A write
 * that matches nothing throws LeaseLostError and the runner stops.
 */
import type { Queryable } from '../../db/database.js';
import { ConflictError } from '../../errors.js';
import type { ActionOutputs, ActionPhase, ActionType } from '../schema/types.js';
import { iso } from './executions.js';
import type { ActionKey, ActionStatusRecord } from './types.js';

/** Who writes: the lease holder of the execution whose statuses change. */
export interface Fence {
  executionId: string;
  holder: string;
}

export class LeaseLostError extends ConflictError {
  constructor(executionId: string) {
    super(`another process took execution ${executionId} over; this runner stopped`, `See who runs it now: fleetdeck dr status ${executionId}.`, { execution: executionId });
    this.name = 'LeaseLostError';
  }
}

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

/** `$1` the execution whose lease fences the write, `$2` its holder. */
const LEASED = `(SELECT id FROM dr_executions WHERE id = $1 AND lease_holder = $2 FOR SHARE) e`;
const ONE = 'e.id = $1 AND s.execution_id = $3 AND s.stage = $4 AND s.workflow = $5 AND s.action = $6';
const oneParams = (f: Fence, statusesOf: string, k: ActionKey): unknown[] => [f.executionId, f.holder, statusesOf, k.stage, k.workflow, k.action];

async function fencedOne(db: Queryable, fence: Fence, set: string, key: ActionKey, extra: unknown[] = [], statusesOf = fence.executionId, returning = 's.attempts'): Promise<{ attempts: number }> {
  const rows = await db.query<{ attempts: number }>(
    `UPDATE dr_action_statuses s SET ${set} FROM ${LEASED} WHERE ${ONE} RETURNING ${returning}`, [...oneParams(fence, statusesOf, key), ...extra]);
  const row = rows.rows[0];
  if (!row) throw new LeaseLostError(fence.executionId);
  return row;
}

/** Starts an attempt: Running, attempts + 1. Returns the attempt number. */
export async function markRunning(db: Queryable, fence: Fence, key: ActionKey): Promise<number> {
  const row = await fencedOne(db, fence, "phase = 'Running', attempts = s.attempts + 1, error = NULL, started_at = coalesce(s.started_at, now())", key);
  return row.attempts;
}

/** Records outputs known before the action finishes (the created Job's name), so a resume finds them. */
export async function recordOutputs(db: Queryable, fence: Fence, key: ActionKey, outputs: ActionOutputs): Promise<void> {
  await fencedOne(db, fence, 'outputs = $7', key, [JSON.stringify(outputs)]);
}

/** A failed attempt that will be retried: stays Running, with the error shown. */
export async function recordAttemptError(db: Queryable, fence: Fence, key: ActionKey, error: string): Promise<void> {
  await fencedOne(db, fence, 'error = $7', key, [error]);
}

export async function markFinished(db: Queryable, fence: Fence, key: ActionKey, phase: ActionPhase, outputs: ActionOutputs | null, error: string | null): Promise<void> {
  await fencedOne(db, fence, 'phase = $7, outputs = coalesce($8::jsonb, s.outputs), error = $9, finished_at = now()', key,
    [phase, outputs === null ? null : JSON.stringify(outputs), error]);
}

/** Marks many actions at once (skipped after a failure, or cancelled). */
export async function markMany(db: Queryable, fence: Fence, keys: readonly ActionKey[], phase: ActionPhase, error: string | null): Promise<void> {
  if (keys.length === 0) return;
  const rows = await db.query<{ held: boolean }>(
    `WITH e AS (SELECT id FROM dr_executions WHERE id = $1 AND lease_holder = $2 FOR SHARE),
          changed AS (
            UPDATE dr_action_statuses s SET phase = $6, error = $7, finished_at = now()
            FROM e, unnest($3::text[], $4::text[], $5::text[]) AS k(stage, workflow, action)
            WHERE s.execution_id = e.id AND s.stage = k.stage AND s.workflow = k.workflow AND s.action = k.action
            RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM e) AS held`,
    [fence.executionId, fence.holder, keys.map((k) => k.stage), keys.map((k) => k.workflow), keys.map((k) => k.action), phase, error]);
  if (!rows.rows[0]?.held) throw new LeaseLostError(fence.executionId);
}

/** Every action of the execution still Pending: Skipped (a finished execution keeps no Pending status). */
export async function skipPending(db: Queryable, fence: Fence): Promise<void> {
  const rows = await db.query<{ held: boolean }>(
    `WITH e AS (SELECT id FROM dr_executions WHERE id = $1 AND lease_holder = $2 FOR SHARE),
          changed AS (
            UPDATE dr_action_statuses s SET phase = 'Skipped', finished_at = now() FROM e
            WHERE s.execution_id = e.id AND s.phase = 'Pending' RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM e) AS held`, [fence.executionId, fence.holder]);
  if (!rows.rows[0]?.held) throw new LeaseLostError(fence.executionId);
}

/**
 * A Revert undid an action of the Execute it reverts: that action becomes RolledBack. Fenced by the Revert's lease;
 * only a Succeeded action changes (so a replay changes nothing).
 */
export async function markRolledBack(db: Queryable, fence: Fence, executeId: string, key: ActionKey): Promise<void> {
  const rows = await db.query<{ held: boolean }>(
    `WITH e AS (SELECT id FROM dr_executions WHERE id = $1 AND lease_holder = $2 FOR SHARE),
          changed AS (
            UPDATE dr_action_statuses s SET phase = 'RolledBack' FROM e
            WHERE s.execution_id = $3 AND s.stage = $4 AND s.workflow = $5 AND s.action = $6 AND s.phase = 'Succeeded' RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM e) AS held`, [fence.executionId, fence.holder, executeId, key.stage, key.workflow, key.action]);
  if (!rows.rows[0]?.held) throw new LeaseLostError(fence.executionId);
}
