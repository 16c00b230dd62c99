import type { RepairPlan } from '../../core/drift/plan-store.js';
import { toErrorInfo } from '../store/error-info.js';
import type { ActionContext } from './action-context.js';

/** Opens the plan overlay at once ("making a plan…") and fills it in when the engine has made the plan. */
export async function showRepairPlan({ store, source }: ActionContext, itemIds: string[]): Promise<void> {
  const { drift } = source;
  if (!drift) return;
  store.getState().openOverlay({ kind: 'plan', itemIds, plan: null, error: null, choice: 'cancel' });
  const stillOpen = () => {
    const overlay = store.getState().overlay;
    return overlay?.kind === 'plan' && overlay.plan === null && overlay.itemIds === itemIds;
  };
  try {
    const plan = await drift.plan(itemIds);
    if (stillOpen()) store.getState().openOverlay({ kind: 'plan', itemIds, plan, error: null, choice: 'cancel' });
  } catch (error) {
    if (stillOpen()) store.getState().openOverlay({ kind: 'plan', itemIds, plan: null, error: toErrorInfo(error), choice: 'cancel' });
  }
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
