import type { KeyPress } from '../keys.js';
import { resolveKey } from '../keys.js';
import { PANEL_IDS } from '../panel-id.js';
import { panelById } from '../panels/registry.js';
import type { Overlay } from '../store/cockpit-store.js';
import type { ActionContext } from './action-context.js';
import { runCommandLine } from './command-line.js';
import { deleteClusters } from './delete-clusters.js';

const isText = (input: string, key: KeyPress): boolean =>
  input.length > 0 && !key.ctrl && !key.escape && !key.return && !key.tab && !/[\x00-\x1f\x7f]/.test(input);

interface RawKey extends KeyPress {
  backspace: boolean;
  delete: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
}

/** Overlays that take text or a choice see the keys first; returns true when the key was consumed. */
function overlayKey(overlay: Overlay, input: string, key: RawKey, ctx: ActionContext): boolean {
  const state = ctx.store.getState();
  switch (overlay.kind) {
    case 'filter':
      if (key.escape) { state.setFilter(''); state.closeOverlay(); return true; }
      if (key.return) { state.closeOverlay(); return true; }
      if (key.backspace || key.delete) { state.setFilter(state.filter.slice(0, -1)); return true; }
      if (isText(input, key)) { state.setFilter(state.filter + input); return true; }
      return !(key.ctrl && input === 'c');
    case 'command':
      if (key.escape) { state.closeOverlay(); return true; }
      if (key.return) { runCommandLine(ctx, overlay.text); return true; }
      if (key.backspace || key.delete) {
        if (overlay.text === '') state.closeOverlay();
        else state.openOverlay({ ...overlay, text: overlay.text.slice(0, -1) });
        return true;
      }
      if (isText(input, key)) { state.openOverlay({ ...overlay, text: overlay.text + input }); return true; }
      return !(key.ctrl && input === 'c');
    case 'confirm':
      if (key.leftArrow || key.rightArrow || key.tab || input === 'h' || input === 'l') {
        state.openOverlay({ ...overlay, choice: overlay.choice === 'cancel' ? 'confirm' : 'cancel' });
        return true;
      }
      if (key.return) {
        state.closeOverlay();
        if (overlay.choice === 'confirm' && overlay.action === 'delete') void deleteClusters(ctx, overlay.targets);
        return true;
      }
      if (key.escape || input === 'n' || input === 'q') { state.closeOverlay(); return true; }
      return !(key.ctrl && input === 'c');
    case 'help':
    case 'details':
      if (key.escape || key.return || input === 'q' || input === '?') { state.closeOverlay(); return true; }
      return !(key.ctrl && input === 'c');
  }
}

/** Every keypress goes through here: overlays first, then the bindings table and its read-only gate. */
export function dispatchKey(input: string, key: RawKey, ctx: ActionContext): void {
  const state = ctx.store.getState();
  if (state.overlay && overlayKey(state.overlay, input, key, ctx)) return;
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
      else if (state.filter) state.setFilter('');
      else if (state.marked.size > 0) state.clearMarks();
      return;
    default:
      panelById(state.panel).onAction?.(binding.action, ctx);
  }
}
