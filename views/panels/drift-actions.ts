import type { ActionContext } from '../actions/action-context.js';
import { rescanDrift, showRepairPlan } from '../actions/repair-drift.js';
import type { ActionId } from '../keys.js';
import type { DriftItem } from '../../core/drift/types.js';
import { driftTargets } from '../store/drift-slice.js';

/** Items `X` applies to: an orphan cluster (delete instead of adopt), a broken cluster (replace), mismatched ports. */
export function hasDestructiveChoice(item: DriftItem): boolean {
  return item.repair.destructive || item.alternative?.destructive === true;
}

export function driftAction(action: ActionId, ctx: ActionContext): void {
  const state = ctx.store.getState();
  const page = Math.max(1, state.viewportRows - 3);
  switch (action) {
    case 'down': state.moveDrift(1); break;
    case 'up': state.moveDrift(-1); break;
    case 'pageDown': state.moveDrift(page); break;
    case 'pageUp': state.moveDrift(-page); break;
    case 'top': state.moveDrift('top'); break;
    case 'bottom': state.moveDrift('bottom'); break;
    case 'mark': state.toggleDriftMark(); break;
    case 'back': state.clearDriftMarks(); break;
    case 'rescan': void rescanDrift(ctx); break;
    case 'repair': {
      if (!ctx.source.drift) break;
      const ids = driftTargets(state.drift);
      if (ids.length === 0) {
        state.setNotice('no drift item selected: nothing to repair');
        break;
      }
      void showRepairPlan(ctx, ids);
      break;
    }
    case 'repairDestructive': {
      if (!ctx.source.drift) break;
      const chosen = new Set(driftTargets(state.drift));
      const ids = state.drift.items.filter((item) => chosen.has(item.id) && hasDestructiveChoice(item)).map((item) => item.id);
      if (ids.length === 0) {
        state.setNotice(chosen.size === 0 ? 'no drift item selected: nothing to repair'
          : 'the selected items have no destructive repair (X deletes orphan clusters and replaces stopped ones); r repairs them');
        break;
      }
      void showRepairPlan(ctx, ids, { destructive: true });
      break;
    }
    default:
      break;
  }
}
