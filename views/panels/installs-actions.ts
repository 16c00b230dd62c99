import type { ActionContext } from '../actions/action-context.js';
import { deployClusters } from '../actions/deploy-installs.js';
import type { ActionId } from '../keys.js';
import { installTargets, selectedInstall } from '../store/installs-slice.js';

export function installsAction(action: ActionId, ctx: ActionContext): void {
  const state = ctx.store.getState();
  const page = Math.max(1, Math.floor(state.viewportRows / 2) - 1);
  switch (action) {
    case 'down': state.moveInstalls(1); break;
    case 'up': state.moveInstalls(-1); break;
    case 'pageDown': state.moveInstalls(page); break;
    case 'pageUp': state.moveInstalls(-page); break;
    case 'top': state.moveInstalls('top'); break;
    case 'bottom': state.moveInstalls('bottom'); break;
    case 'mark': state.toggleInstallMark(); break;
    case 'back': state.clearInstallMarks(); break;
    case 'deploy':
    case 'retry': {
      const targets = installTargets(state.installs);
      if (targets.length === 0) state.setNotice('no cluster selected');
      else void deployClusters(ctx, targets, action);
      break;
    }
    case 'logs': {
      const selected = selectedInstall(state.installs);
      if (selected) state.openOverlay({ kind: 'log', cluster: selected.name });
      break;
    }
    default:
      break;
  }
}
