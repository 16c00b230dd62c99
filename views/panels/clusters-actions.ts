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
    case 'create':
      state.openOverlay({ kind: 'create', name: '', provider: 'k3d', field: 'name' });
      break;
    case 'delete': {
      const targets = actionTargets(state);
      if (targets.length === 0) {
        state.setNotice('nothing selected to delete');
        break;
      }
      const single = targets.length === 1 ? targets[0] : undefined;
      const title = single !== undefined ? `Delete cluster ${single}?` : `Delete ${targets.length} marked clusters?`;
      const expected = single ?? `delete ${targets.length}`;
      state.openOverlay({ kind: 'typed-confirm', title, targets, expected, typed: '', mismatch: false });
      break;
    }
    case 'back':
      if (state.filter) state.setFilter('');
      else if (state.marked.size > 0) state.clearMarks();
      else if (state.operation) state.clearOperation();
      break;
    default:
      break;
  }
}
