/** The dr_executions table: creating (one active per plan, enforced by a partial unique index), leases, phases. */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../errors.js';
import { isPgError, SqlState, type Database, type Queryable } from '../../db/database.js';
import type { ActionType } from '../schema/types.js';
import type { ActionKey, ExecutionKind, ExecutionPhase, ExecutionRecord, PlanSnapshot } from './types.js';

interface ExecutionRow {
  id: string;
  plan_namespace: string;
  plan_name: string;
  kind: ExecutionKind;
  phase: ExecutionPhase;
  params: Record<string, string>;
  parent_id: string | null;
  message: string | null;
  actor: string;
  cancel_requested: boolean;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  lease_holder: string | null;
  plan_source: string;
  automatic: boolean;
}

const COLUMNS = 'id, plan_namespace, plan_name, kind, phase, params, parent_id, message, actor, cancel_requested, created_at, started_at, finished_at, lease_holder, plan_source, automatic';
/** The partial unique index that allows one Pending or Running execution per plan (sql/004_dr.sql). */
export const ONE_ACTIVE_INDEX = 'dr_executions_one_active';

export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

function toRecord(row: ExecutionRow): ExecutionRecord {
  return {
    id: row.id, planNamespace: row.plan_namespace, planName: row.plan_name, kind: row.kind, phase: row.phase,
    params: row.params, parentId: row.parent_id, message: row.message, actor: row.actor, cancelRequested: row.cancel_requested,
    createdAt: iso(row.created_at) ?? '', startedAt: iso(row.started_at), finishedAt: iso(row.finished_at), leaseHolder: row.lease_holder,
    planSource: row.plan_source, automatic: row.automatic,
  };
}

/** A readable, unique id: the plan's name and a random suffix, as BCS names executions. */
export function newExecutionId(planName: string): string {
  return `${planName.slice(0, 40)}-${randomBytes(4).toString('hex').slice(0, 6)}`;
}

export interface NewExecution {
  id: string;
  planNamespace: string;
  planName: string;
  kind: ExecutionKind;
  params: Record<string, string>;
  snapshot: PlanSnapshot;
  parentId: string | null;
  actor: string;
  /** `stored` or `cluster/NAME`. */
  planSource?: string;
  /** Started by rollbackOnFailure. */
  automatic?: boolean;
  /** Every action the execution will run, in order; their statuses start Pending. */
  actions: (ActionKey & { type: ActionType })[];
}

/**
 * Inserts the execution and its Pending action statuses in one transaction. A concurrent active execution of the
 * same plan makes the partial unique index refuse the insert: that becomes a ConflictError naming it.
 */
export async function insertExecution(db: Database, execution: NewExecution): Promise<ExecutionRecord> {
  try {
    return await db.transaction((tx) => insertExecutionIn(tx, execution));
  } catch (error) {
    throw await asBusyError(db, error, execution);
  }
}

/** The insert itself, inside the caller's transaction (rollbackOnFailure finishes an Execute and starts its Revert at once). */
export async function insertExecutionIn(tx: Queryable, execution: NewExecution): Promise<ExecutionRecord> {
  const inserted = await tx.query<ExecutionRow>(
    `INSERT INTO dr_executions (id, plan_namespace, plan_name, kind, params, snapshot, parent_id, actor, plan_source, automatic)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
    [execution.id, execution.planNamespace, execution.planName, execution.kind, JSON.stringify(execution.params), JSON.stringify(execution.snapshot),
      execution.parentId, execution.actor, execution.planSource ?? 'stored', execution.automatic ?? false],
  );
  const a = execution.actions;
  if (a.length > 0) {
    await tx.query(
      `INSERT INTO dr_action_statuses (execution_id, position, stage, workflow, action, type)
       SELECT $1, r.ord - 1, r.stage, r.workflow, r.action, r.type
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS r(stage, workflow, action, type, ord)`,
      [execution.id, a.map((x) => x.stage), a.map((x) => x.workflow), a.map((x) => x.action), a.map((x) => x.type)],
    );
  }
  return toRecord(inserted.rows[0] as ExecutionRow);
}

/**
 * Only the one-active index means "the plan is busy": that becomes a ConflictError naming the running execution.
 * Any other violation (a duplicate id, a duplicate action key) is a bug and is rethrown as it is.
 */
export async function asBusyError(db: Queryable, error: unknown, execution: Pick<NewExecution, 'planNamespace' | 'planName'>): Promise<unknown> {
  if (!(isPgError(error) && error.code === SqlState.uniqueViolation && error.constraint === ONE_ACTIVE_INDEX)) return error;
  const running = await activeExecution(db, execution.planNamespace, execution.planName);
  const who = running ? `${running.kind} ${running.id} (${running.phase}, started by ${running.actor})` : 'another execution';
  return new ConflictError(
    `DR plan "${execution.planName}" already has an active execution: ${who}`,
    running ? `Wait for it to finish (fleetdeck dr status ${running.id}) or cancel it (fleetdeck dr cancel ${running.id}).` : 'Wait for it to finish, then try again.',
    { plan: execution.planName, running: running?.id ?? null },
  );
}

export async function activeExecution(db: Queryable, planNamespace: string, planName: string): Promise<ExecutionRecord | undefined> {
  const rows = await db.query<ExecutionRow>(
    `SELECT ${COLUMNS} FROM dr_executions WHERE plan_namespace = $1 AND plan_name = $2 AND phase IN ('Pending', 'Running')`, [planNamespace, planName]);
  return rows.rows[0] ? toRecord(rows.rows[0]) : undefined;
}

export async function getExecution(db: Queryable, id: string): Promise<ExecutionRecord> {
  const rows = await db.query<ExecutionRow>(`SELECT ${COLUMNS} FROM dr_executions WHERE id = $1`, [id]);
  const row = rows.rows[0];
  if (!row) throw new NotFoundError('DR execution', id, 'List executions with `fleetdeck dr ls`.');
  return toRecord(row);
}

export async function getSnapshot(db: Queryable, id: string): Promise<PlanSnapshot> {
  const rows = await db.query<{ snapshot: PlanSnapshot }>('SELECT snapshot FROM dr_executions WHERE id = $1', [id]);
  const row = rows.rows[0];
  if (!row) throw new NotFoundError('DR execution', id, 'List executions with `fleetdeck dr ls`.');
  return row.snapshot;
}

export async function listExecutions(db: Queryable, limit = 50): Promise<ExecutionRecord[]> {
  const rows = await db.query<ExecutionRow>(`SELECT ${COLUMNS} FROM dr_executions ORDER BY created_at DESC, id LIMIT $1`, [limit]);
  return rows.rows.map(toRecord);
}

/** Pending executions, and Running ones whose holder stopped heartbeating (a crashed process): work to resume. */
export async function orphanedExecutions(db: Queryable, leaseMs: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM dr_executions WHERE phase IN ('Pending', 'Running')
       AND (lease_holder IS NULL OR heartbeat_at < now() - make_interval(secs => $1::double precision / 1000)) ORDER BY created_at`, [leaseMs]);
  return rows.rows.map((r) => r.id);
}

/**
 * Takes the execution's lease: free, already ours, expired, or (`steal`) whatever its state. Moves Pending to
 * Running. Returns null when another live process holds it or it is finished.
 */
export async function claimExecution(db: Queryable, id: string, holder: string, leaseMs: number, steal = false): Promise<ExecutionRecord | null> {
  const rows = await db.query<ExecutionRow>(
    `UPDATE dr_executions SET lease_holder = $2, heartbeat_at = now(), phase = 'Running', started_at = coalesce(started_at, now())
     WHERE id = $1 AND phase IN ('Pending', 'Running')
       AND ($4 OR lease_holder IS NULL OR lease_holder = $2 OR heartbeat_at < now() - make_interval(secs => $3::double precision / 1000))
     RETURNING ${COLUMNS}`, [id, holder, leaseMs, steal]);
  return rows.rows[0] ? toRecord(rows.rows[0]) : null;
}

/** Renews the lease; returns whether cancellation was requested (false also when the lease was lost). */
export async function heartbeat(db: Queryable, id: string, holder: string): Promise<{ held: boolean; cancelRequested: boolean }> {
  const rows = await db.query<{ cancel_requested: boolean }>(
    'UPDATE dr_executions SET heartbeat_at = now() WHERE id = $1 AND lease_holder = $2 RETURNING cancel_requested', [id, holder]);
  const row = rows.rows[0];
  return { held: row !== undefined, cancelRequested: row?.cancel_requested ?? false };
}

/** Records the final phase and frees the lease; false when another process holds it now (nothing changed). */
export async function finishExecution(db: Queryable, id: string, holder: string, phase: ExecutionPhase, message: string | null): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE dr_executions SET phase = $3, message = $4, finished_at = now(), lease_holder = NULL, heartbeat_at = NULL
     WHERE id = $1 AND lease_holder = $2 RETURNING id`, [id, holder, phase, message]);
  return rows.rows.length > 0;
}

/** The Reverts of an Execute, oldest first. */
export async function listReverts(db: Queryable, executeId: string): Promise<ExecutionRecord[]> {
  const rows = await db.query<ExecutionRow>(`SELECT ${COLUMNS} FROM dr_executions WHERE parent_id = $1 ORDER BY created_at, id`, [executeId]);
  return rows.rows.map(toRecord);
}

/**
 * Requests cancellation. A Pending execution nobody runs is cancelled at once (with its actions Skipped);
 * a Running one is stopped by its runner at its next heartbeat.
 */
export async function requestCancel(db: Database, id: string): Promise<ExecutionRecord> {
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ phase: ExecutionPhase; lease_holder: string | null }>(
      "UPDATE dr_executions SET cancel_requested = true WHERE id = $1 AND phase IN ('Pending', 'Running') RETURNING phase, lease_holder", [id]);
    const row = rows.rows[0];
    if (row && row.phase === 'Pending' && row.lease_holder === null) {
      await tx.query("UPDATE dr_executions SET phase = 'Canceled', finished_at = now(), message = 'canceled before it started' WHERE id = $1", [id]);
      await tx.query("UPDATE dr_action_statuses SET phase = 'Skipped' WHERE execution_id = $1 AND phase = 'Pending'", [id]);
    }
  });
  return getExecution(db, id);
}
