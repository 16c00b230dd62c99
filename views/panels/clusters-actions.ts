import type { ActionContext } from '../actions/action-context.js';
import type { ActionId } from '../keys.js';
import { actionTargets, selectedCluster } from '../store/cockpit-store.js';

export function clustersAction(action: ActionId, { store }: ActionContext): void {
  const state = store.getState();
  const page = Math.max(1, state.viewportRows - 1);
  switch (action) {
    case 'down': state.moveBy(1); break;
    case 'up': state.moveBy(-1); break;
    case 'pageDown': state.moveBy(page); break;
    case 'pageUp': state.moveBy(-page); break;
    case 'top': state.moveTo(0); break;
    case 'bottom': state.moveTo(-1); break;
    case 'filter': state.openOverlay({ kind: 'filter' }); break;
    case 'mark': state.toggleMark(); break;
    case 'details': {
      const cluster = selectedCluster(state);
      if (cluster) state.openOverlay({ kind: 'details', name: cluster.name });
      break;
    }
    case 'delete': {
      const targets = actionTargets(state);
      if (targets.length === 0) {
        state.setNotice('nothing selected to delete');
        break;
      }
      const title = targets.length === 1 ? `Delete cluster ${targets[0] ?? ''}?` : `Delete ${targets.length} marked clusters?`;
      state.openOverlay({ kind: 'confirm', action: 'delete', title, targets, choice: 'cancel' });
      break;
    }
    default:
      break;
  }
}
