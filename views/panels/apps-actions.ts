/**
 * The Apps panel's keys. Navigation reuses the cockpit's actions (down, up, top, bottom, details); `F` failover
 * asks for confirmation with Cancel as the default, `L` reload and `B` backup run at once. While the panel's
 * overlay is open, appsOverlayKey sees the keys first (the dispatcher calls it before the bindings table).
 */
import type { ActionContext } from '../actions/action-context.js';
import type { KeyPress } from '../keys.js';
import { toErrorInfo } from '../store/error-info.js';
import { appsStoreFor, groupRef, rowGroup, selectedRow } from '../store/apps-store.js';
import { appsSourceOf } from './apps-source.js';

/** Action ids the Apps panel adds to views/keys.ts. */
export type AppsActionId = 'failover' | 'reload' | 'backup';

export async function refreshApps(ctx: ActionContext): Promise<void> {
  const source = appsSourceOf(ctx.source);
  if (!source) return;
  try {
    appsStoreFor(ctx.store).getState().setApps(await source.tree());
  } catch (error) {
    ctx.store.getState().setError(toErrorInfo(error));
  }
}

async function runAction(ctx: ActionContext, label: string, work: () => Promise<string>): Promise<void> {
  const slice = appsStoreFor(ctx.store).getState();
  if (slice.busy) {
    ctx.store.getState().setNotice(`wait: ${slice.busy} is still running`);
    return;
  }
  slice.setBusy(label);
  ctx.store.getState().setNotice(`${label}…`);
  try {
    ctx.store.getState().setNotice(await work());
  } catch (error) {
    ctx.store.getState().setError(toErrorInfo(error));
  } finally {
    appsStoreFor(ctx.store).getState().setBusy(null);
  }
  await refreshApps(ctx);
}

export function failoverNow(ctx: ActionContext, group: string): Promise<void> {
  return runAction(ctx, `failover ${group}`, async () => {
    const report = await appsSourceOf(ctx.source)!.failover(group);
    return `${report.group}: ${report.newMaster} is the master now (was ${report.oldMaster || '-'})`;
  });
}

export function appsAction(action: string, ctx: ActionContext): void {
  const slice = appsStoreFor(ctx.store);
  const state = slice.getState();
  const page = Math.max(1, state.viewportRows - 1);
  const group = rowGroup(selectedRow(state));
  const source = appsSourceOf(ctx.source);
  switch (action) {
    case 'down': state.moveBy(1); return;
    case 'up': state.moveBy(-1); return;
    case 'pageDown': state.moveBy(page); return;
    case 'pageUp': state.moveBy(-page); return;
    case 'top': state.moveTo(0); return;
    case 'bottom': state.moveTo(-1); return;
    case 'details':
      if (group) state.openOverlay({ kind: 'details', group: groupRef(group) });
      return;
    default:
      break;
  }
  if (action !== 'failover' && action !== 'reload' && action !== 'backup') return;
  if (!source || !group) {
    ctx.store.getState().setNotice(source ? 'select a group (or one of its members) first' : 'apps are not available from this source');
    return;
  }
  const ref = groupRef(group);
  if (action === 'failover') {
    state.openOverlay({ kind: 'confirm', action: 'failover', group: ref, choice: 'cancel' });
  } else if (action === 'reload') {
    void runAction(ctx, `reload ${ref}`, async () => {
      const report = await source.reload(ref);
      const restarted = report.instances.filter((i) => i.restarted).map((i) => i.instance);
      const failed = report.instances.filter((i) => i.error).map((i) => i.instance);
      return `${report.group}: reloaded${restarted.length ? `, restarted ${restarted.join(', ')}` : ''}${failed.length ? `; not reached: ${failed.join(', ')}` : ''}`;
    });
  } else {
    void runAction(ctx, `backup ${ref}`, async () => {
      const report = await source.backup(ref);
      return `${report.group}: backed up to ${report.target} as ${report.backup.name}`;
    });
  }
}

interface OverlayKey extends KeyPress {
  leftArrow: boolean;
  rightArrow: boolean;
}

/** Keys for the panel's overlays; true when consumed. Call it before the bindings table while Apps is focused. */
export function appsOverlayKey(input: string, key: OverlayKey, ctx: ActionContext): boolean {
  const slice = appsStoreFor(ctx.store);
  const overlay = slice.getState().overlay;
  if (!overlay) return false;
  if (overlay.kind === 'details') {
    if (key.escape || key.return || input === 'q') slice.getState().closeOverlay();
    return !(key.ctrl && input === 'c');
  }
  if (key.leftArrow || key.rightArrow || key.tab || input === 'h' || input === 'l') {
    slice.getState().openOverlay({ ...overlay, choice: overlay.choice === 'cancel' ? 'confirm' : 'cancel' });
    return true;
  }
  if (key.return) {
    slice.getState().closeOverlay();
    if (overlay.choice === 'confirm') void failoverNow(ctx, overlay.group);
    return true;
  }
  if (key.escape || input === 'n' || input === 'q') {
    slice.getState().closeOverlay();
    return true;
  }
  return !(key.ctrl && input === 'c');
}
