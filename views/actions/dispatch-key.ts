import { resolveKey } from '../keys.js';
import { PANEL_IDS } from '../panel-id.js';
import { panelById } from '../panels/registry.js';
import type { ActionContext } from './action-context.js';
import { appsOverlayKey } from '../panels/apps-actions.js';
import { drOverlayKey } from '../panels/dr-actions.js';
import { overlayKey } from './overlay-keys.js';
import type { RawKey } from './overlay-keys.js';

/** Every keypress goes through here: overlays first, then the bindings table and its read-only gate. */
export function dispatchKey(input: string, key: RawKey, ctx: ActionContext): void {
  const state = ctx.store.getState();
  if (state.overlay && overlayKey(state.overlay, input, key, ctx)) return;
  if (state.panel === 'apps' && appsOverlayKey(input, key, ctx)) return;
  if (state.panel === 'dr' && drOverlayKey(input, key, ctx)) return;
  const resolved = resolveKey(input, key, state.panel, state.status.readonly);
  if (resolved.kind === 'none') return;
  const { binding } = resolved;
  if (resolved.kind === 'refused') {
    state.setError({
      message: `"${binding.keys}" changes the fleet, and fleetdeck is running read-only`,
      hint: 'Restart without --readonly to make changes.',
    });
    return;
  }
  switch (binding.action) {
    case 'quit': state.requestQuit(); return;
    case 'help': state.openOverlay({ kind: 'help' }); return;
    case 'command': state.openOverlay({ kind: 'command', text: '' }); return;
    case 'selectPanel': {
      const panel = PANEL_IDS[Number(input) - 1];
      if (panel) state.setPanel(panel);
      return;
    }
    case 'nextPanel': {
      const next = PANEL_IDS[(PANEL_IDS.indexOf(state.panel) + (key.shift ? PANEL_IDS.length - 1 : 1)) % PANEL_IDS.length];
      if (next) state.setPanel(next);
      return;
    }
    case 'back':
      if (state.overlay) state.closeOverlay();
      else if (state.error || state.notice) state.setNotice(null);
      else panelById(state.panel).onAction?.('back', ctx);
      return;
    default:
      panelById(state.panel).onAction?.(binding.action, ctx);
  }
}
