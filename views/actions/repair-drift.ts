import type { RepairPlan } from '../../core/drift/plan-store.js';
import type { RepairAction } from '../../core/drift/types.js';
import type { Overlay } from '../store/overlay.js';
import { toErrorInfo } from '../store/error-info.js';
import type { ActionContext } from './action-context.js';
import type { RawKey } from './overlay-keys.js';

type PlanOverlay = Extract<Overlay, { kind: 'plan' }>;

/**
 * Opens the plan overlay at once ("making a plan…") and fills it in when the engine has made the plan. With
 * `destructive`, the plan takes the destructive choice for the items (delete an orphan cluster, replace a stopped one).
 */
export async function showRepairPlan({ store, source }: ActionContext, itemIds: string[], options: { destructive?: boolean } = {}): Promise<void> {
  const { drift } = source;
  if (!drift) return;
  const destructive = options.destructive === true;
  const base = { kind: 'plan' as const, itemIds, error: null, choice: 'cancel' as const, ...(destructive ? { destructive, typed: '', mismatch: false } : {}) };
  store.getState().openOverlay({ ...base, plan: null });
  const stillOpen = () => {
    const overlay = store.getState().overlay;
    return overlay?.kind === 'plan' && overlay.plan === null && overlay.itemIds === itemIds;
  };
  try {
    const plan = await drift.plan(itemIds, destructive ? { destructive: itemIds } : {});
    if (stillOpen()) store.getState().openOverlay({ ...base, plan });
  } catch (error) {
    if (stillOpen()) store.getState().openOverlay({ ...base, plan: null, error: toErrorInfo(error) });
  }
}

/** The actions that destroy a cluster; `delete_cluster` and `replace_cluster`. */
export function destroyedClusters(plan: RepairPlan): string[] {
  const destroys = (action: RepairAction): action is Extract<RepairAction, { type: 'delete_cluster' | 'replace_cluster' }> =>
    action.type === 'delete_cluster' || action.type === 'replace_cluster';
  return plan.actions.filter(destroys).map((action) => action.cluster);
}

/** What must be typed to apply a destructive plan: the cluster's name, or `destroy N` for several; null when nothing is destroyed. */
export function typedConfirmation(plan: RepairPlan): string | null {
  const clusters = destroyedClusters(plan);
  if (clusters.length === 0) return null;
  return clusters.length === 1 ? clusters[0]! : `destroy ${clusters.length}`;
}

/**
 * Keys of a destructive plan: the name is typed (enter with anything else only says so); a destructive plan that
 * destroys nothing after all (the items had no destructive choice) needs Apply chosen, as a safe one does.
 */
export function destructivePlanKey(overlay: PlanOverlay, input: string, key: RawKey, ctx: ActionContext): boolean {
  const state = ctx.store.getState();
  const expected = overlay.plan ? typedConfirmation(overlay.plan) : null;
  if (key.escape) { state.closeOverlay(); return true; }
  if (!overlay.plan) return !(key.ctrl && input === 'c');
  if (expected === null) {
    if (key.leftArrow || key.rightArrow || key.tab) { state.openOverlay({ ...overlay, choice: overlay.choice === 'cancel' ? 'confirm' : 'cancel' }); return true; }
    if (key.return) {
      state.closeOverlay();
      if (overlay.choice === 'confirm') void applyPlan(ctx, overlay.plan);
      return true;
    }
    return !(key.ctrl && input === 'c');
  }
  const typed = overlay.typed ?? '';
  if (key.return) {
    if (typed !== expected) { state.openOverlay({ ...overlay, mismatch: true }); return true; }
    state.closeOverlay();
    void applyPlan(ctx, overlay.plan);
    return true;
  }
  if (key.backspace || key.delete) { state.openOverlay({ ...overlay, typed: typed.slice(0, -1), mismatch: false }); return true; }
  if (input.length > 0 && !key.ctrl && !key.tab && !/[\x00-\x1f\x7f]/.test(input)) {
    state.openOverlay({ ...overlay, typed: typed + input, mismatch: false });
    return true;
  }
  return !(key.ctrl && input === 'c');
}

/** Applies exactly the plan that was shown; a stale plan is refused by the engine and its hint shown. */
export async function applyPlan({ store, source }: ActionContext, plan: RepairPlan): Promise<void> {
  const { drift } = source;
  if (!drift) return;
  store.getState().setNotice(`applying ${plan.id} (${plan.actions.length} actions)…`);
  try {
    const operation = await drift.apply(plan.id);
    const state = store.getState();
    state.clearDriftMarks();
    state.setNotice(operation ? `applied ${plan.id}: operation ${operation.id} ${operation.status}` : `${plan.id} had nothing to do`);
  } catch (error) {
    store.getState().setError(toErrorInfo(error));
  }
  try {
    // The repair's own events trigger the watcher's rescan too; this makes the panel current right away.
    store.getState().setDriftReport(await drift.scan());
  } catch {
    // The status line already says what went wrong.
  }
}

export async function rescanDrift({ store, source }: ActionContext): Promise<void> {
  const { drift } = source;
  if (!drift) return;
  store.getState().setDriftScanning(true);
  try {
    store.getState().setDriftReport(await drift.scan());
  } catch (error) {
    store.getState().setDriftScanning(false, toErrorInfo(error));
  }
}
