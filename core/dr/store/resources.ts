/** Stored DR plans and workflows (`fleetdeck dr apply -f FILE`). */
import type { Queryable } from '../../db/database.js';
import { namespaceOf } from '../schema/load.js';
import type { DRPlan, DRWorkflow } from '../schema/types.js';

export async function upsertResources(db: Queryable, resources: readonly (DRPlan | DRWorkflow)[], actor: string): Promise<void> {
  if (resources.length === 0) return;
  await db.query(
    `INSERT INTO dr_resources (kind, namespace, name, body, applied_by)
     SELECT r.kind, r.namespace, r.name, r.body, $4 FROM unnest($1::text[], $2::text[], $3::text[], $5::jsonb[]) AS r(kind, namespace, name, body)
     ON CONFLICT (kind, namespace, name) DO UPDATE SET body = EXCLUDED.body, applied_by = EXCLUDED.applied_by, updated_at = now()`,
    [resources.map((r) => r.kind), resources.map((r) => namespaceOf(r)), resources.map((r) => r.metadata.name), actor, resources.map((r) => JSON.stringify(r))],
  );
}

export async function listPlans(db: Queryable): Promise<DRPlan[]> {
  const rows = await db.query<{ body: DRPlan }>("SELECT body FROM dr_resources WHERE kind = 'DRPlan' ORDER BY namespace, name");
  return rows.rows.map((r) => r.body);
}

export async function listWorkflows(db: Queryable): Promise<DRWorkflow[]> {
  const rows = await db.query<{ body: DRWorkflow }>("SELECT body FROM dr_resources WHERE kind = 'DRWorkflow' ORDER BY namespace, name");
  return rows.rows.map((r) => r.body);
}

/** Plans by name; a name without namespace may match several namespaces (the caller decides). */
export async function findPlans(db: Queryable, name: string, namespace?: string): Promise<DRPlan[]> {
  const rows = await db.query<{ body: DRPlan }>(
    "SELECT body FROM dr_resources WHERE kind = 'DRPlan' AND name = $1 AND ($2::text IS NULL OR namespace = $2) ORDER BY namespace",
    [name, namespace ?? null],
  );
  return rows.rows.map((r) => r.body);
}
