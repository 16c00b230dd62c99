import type { KeyPress } from '../keys.js';
import type { Overlay } from '../store/overlay.js';
import type { ActionContext } from './action-context.js';
import { runCommandLine } from './command-line.js';
import { createEnvironment } from './cluster-operations.js';
import { deleteClusters } from './delete-clusters.js';
import { applyPlan, destructivePlanKey } from './repair-drift.js';

export interface RawKey extends KeyPress {
  backspace: boolean;
  delete: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
}

export const isText = (input: string, key: KeyPress): boolean =>
  input.length > 0 && !key.ctrl && !key.escape && !key.return && !key.tab && !/[\x00-\x1f\x7f]/.test(input);

const erases = (key: RawKey) => key.backspace || key.delete;
/** ctrl-c always reaches the quit binding. */
const swallow = (input: string, key: RawKey) => !(key.ctrl && input === 'c');

/** Overlays that take text or a choice see the keys first; returns true when the key was consumed. */
export function overlayKey(overlay: Overlay, input: string, key: RawKey, ctx: ActionContext): boolean {
  const state = ctx.store.getState();
  switch (overlay.kind) {
    case 'filter':
      if (key.escape) { state.setFilter(''); state.closeOverlay(); return true; }
      if (key.return) { state.closeOverlay(); return true; }
      if (erases(key)) { state.setFilter(state.filter.slice(0, -1)); return true; }
      if (isText(input, key)) { state.setFilter(state.filter + input); return true; }
      return swallow(input, key);
    case 'command':
      if (key.escape) { state.closeOverlay(); return true; }
      if (key.return) { runCommandLine(ctx, overlay.text); return true; }
      if (erases(key)) {
        if (overlay.text === '') state.closeOverlay();
        else state.openOverlay({ ...overlay, text: overlay.text.slice(0, -1) });
        return true;
      }
      if (isText(input, key)) { state.openOverlay({ ...overlay, text: overlay.text + input }); return true; }
      return swallow(input, key);
    case 'typed-confirm':
      if (key.escape) { state.closeOverlay(); return true; }
      if (key.return) {
        if (overlay.typed !== overlay.expected) { state.openOverlay({ ...overlay, mismatch: true }); return true; }
        state.closeOverlay();
        void deleteClusters(ctx, overlay.targets);
        return true;
      }
      if (erases(key)) { state.openOverlay({ ...overlay, typed: overlay.typed.slice(0, -1), mismatch: false }); return true; }
      if (isText(input, key)) { state.openOverlay({ ...overlay, typed: overlay.typed + input, mismatch: false }); return true; }
      return swallow(input, key);
    case 'create':
      if (key.escape) { state.closeOverlay(); return true; }
      if (key.return) {
        state.closeOverlay();
        void createEnvironment(ctx, overlay.name.trim(), overlay.provider);
        return true;
      }
      if (key.tab || key.upArrow || key.downArrow) {
        state.openOverlay({ ...overlay, field: overlay.field === 'name' ? 'provider' : 'name' });
        return true;
      }
      if (overlay.field === 'provider') {
        if (key.leftArrow || key.rightArrow || input === ' ') {
          state.openOverlay({ ...overlay, provider: overlay.provider === 'k3d' ? 'kind' : 'k3d' });
        }
        return swallow(input, key);
      }
      if (erases(key)) { state.openOverlay({ ...overlay, name: overlay.name.slice(0, -1) }); return true; }
      if (isText(input, key)) { state.openOverlay({ ...overlay, name: overlay.name + input }); return true; }
      return swallow(input, key);
    case 'plan':
      if (overlay.destructive) return destructivePlanKey(overlay, input, key, ctx);
      if (key.leftArrow || key.rightArrow || key.tab || input === 'h' || input === 'l') {
        if (overlay.plan) state.openOverlay({ ...overlay, choice: overlay.choice === 'cancel' ? 'confirm' : 'cancel' });
        return true;
      }
      if (key.return) {
        state.closeOverlay();
        if (overlay.choice === 'confirm' && overlay.plan) void applyPlan(ctx, overlay.plan);
        return true;
      }
      if (key.escape || input === 'n' || input === 'q') { state.closeOverlay(); return true; }
      return swallow(input, key);
    case 'help':
    case 'details':
    case 'log':
      if (key.escape || key.return || input === 'q' || input === '?' || (overlay.kind === 'log' && input === 'l')) {
        state.closeOverlay();
        return true;
      }
      return swallow(input, key);
  }
}
