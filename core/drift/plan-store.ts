/** The `drift_plans` table: a plan is stored when made and applied at most once. */
import type { Queryable } from '../db/database.js';
import type { PlannedRepair } from './plan.js';
import type { DriftItem, RepairAction } from './types.js';

export type PlanStatus = 'planned' | 'applying' | 'applied' | 'failed' | 'refused';

export interface RepairPlan {
  id: string;
  /** sha256 of the inventory and snapshot the plan was made from. */
  fingerprint: string;
  createdAt: string;
  actor: string;
  status: PlanStatus;
  operationId: number | null;
  items: DriftItem[];
  repairs: PlannedRepair[];
  /** What applying runs, in order; each is one step of the `drift.repair` operation. */
  actions: RepairAction[];
}

interface PlanRow {
  id: string; fingerprint: string; items: unknown; actions: unknown; status: PlanStatus; actor: string;
  operation_id: string | number | null; created_at: Date | string;
}

const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

function toPlan(row: PlanRow): RepairPlan {
  const stored = json<{ items: DriftItem[]; repairs: PlannedRepair[] }>(row.items);
  return {
    id: row.id, fingerprint: row.fingerprint, createdAt: new Date(row.created_at).toISOString(), actor: row.actor, status: row.status,
    operationId: row.operation_id === null ? null : Number(row.operation_id),
    items: stored.items, repairs: stored.repairs, actions: json<RepairAction[]>(row.actions),
  };
}

export async function insertPlan(db: Queryable, plan: RepairPlan): Promise<void> {
  await db.query('INSERT INTO drift_plans (id, fingerprint, items, actions, status, actor) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6)',
    [plan.id, plan.fingerprint, JSON.stringify({ items: plan.items, repairs: plan.repairs }), JSON.stringify(plan.actions), plan.status, plan.actor]);
}

export async function loadPlan(db: Queryable, id: string): Promise<RepairPlan | null> {
  const result = await db.query<PlanRow>('SELECT id, fingerprint, items, actions, status, actor, operation_id, created_at FROM drift_plans WHERE id = $1', [id]);
  return result.rows[0] ? toPlan(result.rows[0]) : null;
}

/** Moves a plan from `from` to `to`; false when it was not in `from` (someone else got there first). */
export async function movePlan(db: Queryable, id: string, from: PlanStatus, to: PlanStatus, operationId?: number): Promise<boolean> {
  const result = await db.query(
    `UPDATE drift_plans SET status = $3, operation_id = COALESCE($4, operation_id),
       applied_at = CASE WHEN $3 IN ('applied', 'failed') THEN now() ELSE applied_at END
     WHERE id = $1 AND status = $2`, [id, from, to, operationId ?? null]);
  return result.rowCount === 1;
}

/** A repair operation's last step: its plan is applied (also after a crash and `ops resume`). */
export async function markPlanApplied(db: Queryable, id: string, operationId: number): Promise<void> {
  await db.query(
    `UPDATE drift_plans SET status = 'applied', operation_id = $2, applied_at = COALESCE(applied_at, now())
      WHERE id = $1 AND status IN ('applying', 'failed')`, [id, operationId]);
}
