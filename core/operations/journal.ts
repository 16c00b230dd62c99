import type { Queryable } from '../db/database.js';
import type { OperationRecord, OperationStatus, StepOutputs, StepRecord, StepStatus } from './types.js';

type Time = Date | string | null;
const iso = (value: Time): string | null => (value === null ? null : new Date(value).toISOString());
const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

interface OperationRow {
  id: number; kind: string; target: string; status: OperationStatus; params: unknown; error: string | null;
  hint: string | null; warnings: unknown; actor: string; created_at: Time; updated_at: Time; finished_at: Time;
}

interface StepRow {
  operation_id: number; position: number; name: string; status: StepStatus; attempts: number; outputs: unknown;
  error: string | null; started_at: Time; finished_at: Time;
}

function toStep(row: StepRow): StepRecord {
  return {
    position: row.position, name: row.name, status: row.status, attempts: row.attempts,
    outputs: json<StepOutputs>(row.outputs), error: row.error, startedAt: iso(row.started_at), finishedAt: iso(row.finished_at),
  };
}

function toOperation(row: OperationRow, steps: StepRecord[]): OperationRecord {
  return {
    id: Number(row.id), kind: row.kind, target: row.target, status: row.status, params: json(row.params),
    error: row.error, hint: row.hint, warnings: json<string[]>(row.warnings), actor: row.actor,
    createdAt: iso(row.created_at)!, updatedAt: iso(row.updated_at)!, finishedAt: iso(row.finished_at), steps,
  };
}

export async function insertOperation(db: Queryable, op: { kind: string; target: string; params: Record<string, unknown>; actor: string; steps: string[] }): Promise<number> {
  const result = await db.query<{ id: number }>(
    'INSERT INTO operations (kind, target, params, actor) VALUES ($1, $2, $3::jsonb, $4) RETURNING id',
    [op.kind, op.target, JSON.stringify(op.params), op.actor]);
  const id = Number(result.rows[0]!.id);
  await db.query(
    'INSERT INTO operation_steps (operation_id, position, name) SELECT $1, s.position, s.name FROM unnest($2::text[]) WITH ORDINALITY AS s(name, position)',
    [id, op.steps]);
  return id;
}

const OPERATION_COLUMNS = 'id, kind, target, status, params, error, hint, warnings, actor, created_at, updated_at, finished_at';

export async function loadOperation(db: Queryable, id: number): Promise<OperationRecord | null> {
  const op = await db.query<OperationRow>(`SELECT ${OPERATION_COLUMNS} FROM operations WHERE id = $1`, [id]);
  if (!op.rows[0]) return null;
  const steps = await db.query<StepRow>('SELECT * FROM operation_steps WHERE operation_id = $1 ORDER BY position', [id]);
  return toOperation(op.rows[0], steps.rows.map(toStep));
}

export async function listOperations(db: Queryable, limit = 50): Promise<OperationRecord[]> {
  const ops = await db.query<OperationRow>(`SELECT ${OPERATION_COLUMNS} FROM operations ORDER BY id DESC LIMIT $1`, [limit]);
  if (ops.rows.length === 0) return [];
  const steps = await db.query<StepRow>(
    'SELECT * FROM operation_steps WHERE operation_id = ANY($1::bigint[]) ORDER BY operation_id, position', [ops.rows.map((r) => r.id)]);
  return ops.rows.map((row) => toOperation(row, steps.rows.filter((s) => Number(s.operation_id) === Number(row.id)).map(toStep)));
}

export async function setStep(db: Queryable, id: number, position: number, change: { status: StepStatus; outputs?: StepOutputs; error?: string | null }): Promise<void> {
  await db.query(
    `UPDATE operation_steps SET status = $3,
       outputs = CASE WHEN $4::jsonb IS NULL THEN outputs ELSE outputs || $4::jsonb END,
       error = $5,
       attempts = attempts + CASE WHEN $3 IN ('started', 'compensating') THEN 1 ELSE 0 END,
       started_at = CASE WHEN $3 IN ('started', 'compensating') THEN now() ELSE started_at END,
       finished_at = CASE WHEN $3 IN ('started', 'compensating') THEN NULL ELSE now() END
     WHERE operation_id = $1 AND position = $2`,
    [id, position, change.status, change.outputs ? JSON.stringify(change.outputs) : null, change.error ?? null]);
}

/** Merges outputs into a running step's record without changing its status. */
export async function noteStep(db: Queryable, id: number, position: number, outputs: StepOutputs): Promise<void> {
  await db.query('UPDATE operation_steps SET outputs = outputs || $3::jsonb WHERE operation_id = $1 AND position = $2',
    [id, position, JSON.stringify(outputs)]);
}

export async function setOperation(db: Queryable, id: number, change: { status: OperationStatus; error?: string | null; hint?: string | null }): Promise<void> {
  const finished = ['succeeded', 'failed', 'undone', 'undo_failed'].includes(change.status);
  await db.query(
    `UPDATE operations SET status = $2, error = $3, hint = $4, updated_at = now(),
       finished_at = CASE WHEN $5 THEN now() ELSE NULL END WHERE id = $1`,
    [id, change.status, change.error ?? null, change.hint ?? null, finished]);
}

export async function addWarning(db: Queryable, id: number, warning: string): Promise<void> {
  await db.query("UPDATE operations SET warnings = warnings || jsonb_build_array($2::text), updated_at = now() WHERE id = $1", [id, warning]);
}

/**
 * Claims the right to run an operation. A lease held by a live process refuses the claim; one held by a
 * process on this host that no longer exists, or whose heartbeat is older than `staleSeconds`, is taken over.
 */
export async function claimLease(db: Queryable, id: number, holder: { id: string; pid: number; host: string }, isDead: (pid: number, host: string) => boolean, staleSeconds = 30): Promise<boolean> {
  const current = await db.query<{ lease_holder: string | null; lease_pid: number | null; lease_host: string | null; stale: boolean }>(
    `SELECT lease_holder, lease_pid, lease_host, heartbeat_at < now() - make_interval(secs => $2) AS stale
       FROM operations WHERE id = $1`, [id, staleSeconds]);
  const row = current.rows[0];
  if (!row) return false;
  const free = row.lease_holder === null || row.lease_holder === holder.id || row.stale
    || (row.lease_pid !== null && row.lease_host !== null && isDead(row.lease_pid, row.lease_host));
  if (!free) return false;
  const claimed = await db.query(
    `UPDATE operations SET lease_holder = $2, lease_pid = $3, lease_host = $4, heartbeat_at = now()
       WHERE id = $1 AND lease_holder IS NOT DISTINCT FROM $5`,
    [id, holder.id, holder.pid, holder.host, row.lease_holder]);
  return claimed.rowCount === 1;
}

export async function heartbeat(db: Queryable, id: number, holderId: string): Promise<void> {
  await db.query('UPDATE operations SET heartbeat_at = now() WHERE id = $1 AND lease_holder = $2', [id, holderId]);
}

export async function releaseLease(db: Queryable, id: number, holderId: string): Promise<void> {
  await db.query('UPDATE operations SET lease_holder = NULL, lease_pid = NULL, lease_host = NULL WHERE id = $1 AND lease_holder = $2', [id, holderId]);
}
