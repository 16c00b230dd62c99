import type { RepairPlan } from '../../core/drift/plan-store.js';
import type { DriftItem, DriftKind, DriftReport, UncheckedSource } from '../../core/drift/types.js';
import type { OperationRecord } from '../../core/operations/types.js';
import type { DriftSource } from '../../views/source.js';
import type { MemorySource } from './fixtures.js';

/** An item with the repair the engine's diff gives its kind (core/drift/diff.ts), destructive alternative included. */
export function driftItem(kind: DriftKind, target: string, repair: string, message = `${kind} ${target}`): DriftItem {
  const base = { id: `${kind}:${target}`, kind, target, message };
  if (kind === 'orphan_cluster') {
    return { ...base, repair: { action: { type: 'adopt_cluster', cluster: target, provider: 'k3d' }, description: repair, destructive: false },
      alternative: { action: { type: 'delete_cluster', cluster: target, provider: 'k3d' }, description: `delete k3d cluster ${target}`, destructive: true } };
  }
  if (kind === 'api_unreachable') {
    return { ...base, repair: { action: { type: 'start_cluster', cluster: target }, description: repair, destructive: false },
      alternative: { action: { type: 'replace_cluster', cluster: target }, description: `delete cluster ${target} and create it again from its row`, destructive: true } };
  }
  const action = kind === 'orphan_branch' ? { type: 'archive_branch' as const, branch: target } : { type: 'create_branch' as const, cluster: target };
  return { ...base, repair: { action, description: repair, destructive: false } };
}

/** The sandbox world's drift, as the brief describes it. */
export const SANDBOX_DRIFT: DriftItem[] = [
  driftItem('orphan_cluster', 'scratch', 'adopt k3d cluster scratch into the inventory', 'k3d cluster scratch is running but not in the inventory'),
  driftItem('missing_branch', 'uat', 'create branch uat from the inventory row', 'cluster uat is in the inventory but its Git branch is missing'),
  driftItem('orphan_branch', 'legacy-qa', 'archive branch legacy-qa, then delete it', 'Git branch legacy-qa has no cluster in the inventory'),
  { ...driftItem('missing_registration', 'prod-k3d', 'register prod-k3d with Portainer again', 'cluster prod-k3d is not registered with Portainer'),
    id: 'missing_registration:portainer:prod-k3d', registrar: 'portainer' },
];

export function operation(id: number, kind: string, target: string, status: OperationRecord['status'],
  steps: [string, OperationRecord['steps'][number]['status'], string?][]): OperationRecord {
  const now = new Date().toISOString();
  return {
    id, kind, target, status, params: {}, error: null, hint: null, warnings: [], actor: 'test@host', createdAt: now, updatedAt: now,
    finishedAt: null,
    steps: steps.map(([name, stepStatus, error], position) => ({
      position, name, status: stepStatus, attempts: 1, outputs: {}, error: error ?? null, startedAt: now, finishedAt: null,
    })),
  };
}

/** Drift in memory: `scan` publishes drift.scanned; `apply` repairs the plan's items (they vanish from the next scan). */
export class MemoryDrift implements DriftSource {
  items: DriftItem[];
  unchecked: UncheckedSource[] = [];
  report: DriftReport | null = null;
  scans = 0;
  plans: RepairPlan[] = [];
  applied: string[] = [];
  failApply: Error | null = null;

  constructor(private readonly source: MemorySource, items: DriftItem[] = SANDBOX_DRIFT) {
    this.items = items.slice();
  }

  async scan(): Promise<DriftReport> {
    this.scans += 1;
    this.report = {
      checkedAt: new Date().toISOString(), items: this.items.slice(), unchecked: this.unchecked,
      counts: { clusters: 0, branches: 0, live: 0, registrations: 0 },
    };
    this.source.emit({ topic: 'drift', type: 'drift.scanned', origin: 'local' });
    return this.report;
  }

  lastReport(): DriftReport | null {
    return this.report;
  }

  /** Chooses as core/drift/plan.ts does: the safe repair, the destructive one only for items named in `destructive`. */
  async plan(only: readonly string[], options: { destructive?: readonly string[] } = {}): Promise<RepairPlan> {
    const items = this.items.filter((item) => only.includes(item.id));
    const repairs = items.map((item) => {
      if (options.destructive?.includes(item.id)) return { itemId: item.id, choice: item.alternative?.destructive ? item.alternative : item.repair };
      return item.repair.destructive ? { itemId: item.id, choice: null, note: 'not repaired by default' } : { itemId: item.id, choice: item.repair };
    });
    const plan: RepairPlan = {
      id: `plan-${this.plans.length + 1}`, fingerprint: 'f', createdAt: new Date().toISOString(), actor: 'test@host', status: 'planned',
      operationId: null, items, repairs, actions: repairs.flatMap((r) => (r.choice ? [r.choice.action] : [])),
    };
    this.plans.push(plan);
    return plan;
  }

  async apply(planId: string): Promise<OperationRecord | null> {
    if (this.failApply) throw this.failApply;
    const plan = this.plans.find((p) => p.id === planId);
    if (!plan) throw new Error(`no plan ${planId}`);
    this.applied.push(planId);
    const ids = new Set(plan.items.map((item) => item.id));
    this.items = this.items.filter((item) => !ids.has(item.id));
    return operation(40 + this.applied.length, 'drift.repair', `repair:${planId}`, 'succeeded', []);
  }
}
