/**
 * Choosing repairs (pure): one action per drift item, the safe choice unless the user asked for the destructive
 * one, deduplicated and ordered (rows first, then Git, clusters, registrations). Plus the fingerprint of what a
 * plan was made from, so a stale plan is refused.
 */
import { createHash } from 'node:crypto';
import type { DriftItem, FleetSnapshot, RepairAction, RepairChoice } from './types.js';

export interface PlanOptions {
  /** Only these item ids (default: every item). */
  only?: readonly string[];
  /** Item ids or drift kinds for which the destructive choice is wanted (`--delete`). */
  destructive?: readonly string[];
}

export interface PlannedRepair {
  itemId: string;
  /** The chosen repair, or null when the item is left alone (see `note`). */
  choice: RepairChoice | null;
  note?: string;
}

const PHASE: Record<RepairAction['type'], number> = {
  adopt_cluster: 0, update_row_from_live: 0, create_branch: 1, archive_branch: 1,
  delete_cluster: 2, recreate_cluster: 2, start_cluster: 2, replace_cluster: 2, remove_registration: 3, ensure_registration: 3,
};

export function actionKey(action: RepairAction): string {
  return JSON.stringify(Object.entries(action).sort(([a], [b]) => a.localeCompare(b)));
}

export function chooseRepairs(items: readonly DriftItem[], opts: PlanOptions = {}): PlannedRepair[] {
  const only = opts.only ? new Set(opts.only) : null;
  const wantsDestructive = (item: DriftItem): boolean => (opts.destructive ?? []).some((d) => d === item.id || d === item.kind);
  const picked = items.filter((item) => !only || only.has(item.id));
  const adopted = new Set(picked.filter((i) => i.kind === 'orphan_cluster' && !wantsDestructive(i)).map((i) => i.target));
  return picked.map((item): PlannedRepair => {
    if ((item.kind === 'orphan_branch' || item.kind === 'orphan_registration') && adopted.has(item.target)) {
      return { itemId: item.id, choice: null, note: `kept: adopting cluster ${item.target} takes it over` };
    }
    if (wantsDestructive(item)) {
      if (item.alternative?.destructive) return { itemId: item.id, choice: item.alternative };
      return { itemId: item.id, choice: item.repair };
    }
    if (item.repair.destructive) {
      return { itemId: item.id, choice: null, note: `not repaired by default: it would ${item.repair.description}; plan with --delete ${item.id} (or --delete ${item.kind}) to do it` };
    }
    return { itemId: item.id, choice: item.repair };
  });
}

/** The actions of the chosen repairs, each once, in a safe order. */
export function orderedActions(repairs: readonly PlannedRepair[]): RepairAction[] {
  const seen = new Map<string, RepairAction>();
  for (const repair of repairs) if (repair.choice) seen.set(actionKey(repair.choice.action), repair.choice.action);
  return [...seen.values()].sort((a, b) => PHASE[a.type] - PHASE[b.type]);
}

/** A digest of everything a plan depends on (not the API probes, which flap, nor the time). */
export function snapshotFingerprint(snapshot: FleetSnapshot): string {
  const observed = <T>(o: { ok: true; value: T } | { ok: false }, map: (value: T) => unknown): unknown => (o.ok ? map(o.value) : 'unchecked');
  const canonical = {
    inventory: observed(snapshot.inventory, (rows) => rows.map((r) => [r.name, r.provider, r.subnet, r.nodePort, r.pfPort, r.httpPort, r.httpsPort,
      r.registerPortainer, r.haproxyRoute, r.updatedAt]).sort()),
    branches: observed(snapshot.branches, (b) => b.map((x) => `${x.name}@${x.sha}`).sort()),
    clusters: Object.fromEntries(Object.entries(snapshot.clusters).map(([provider, o]) => [provider, observed(o, (list) => list.map((c) =>
      [c.name, c.status, c.serverUrl, c.subnet, c.ports.map((p) => `${p.hostPort}:${p.containerPort}`).sort()]).sort())])),
    registrations: Object.fromEntries(Object.entries(snapshot.registrations).map(([kind, o]) => [kind, observed(o, (list) => list.map((r) =>
      [r.name, r.target, r.managed]).sort())])),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
