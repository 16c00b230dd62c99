import type { ActionContext } from '../actions/action-context.js';
import { rescanDrift, showRepairPlan } from '../actions/repair-drift.js';
import type { ActionId } from '../keys.js';
import { driftTargets } from '../store/drift-slice.js';

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
    default:
      break;
  }
}
