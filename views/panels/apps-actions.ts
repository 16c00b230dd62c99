/**
 * The Apps panel's keys. Navigation reuses the cockpit's actions (down, up, top, bottom, details); `F` failover
 * asks for confirmation with Cancel as the default, `L` reload and `B` backup run at once. They act on the selected
 * row's group, or on the group whose details are open. While the panel's overlay is open, appsOverlayKey sees the
 * keys first (the dispatcher calls it before the bindings table); from the details it lets F, L and B through, so
 * they reach the bindings table and its read-only gate like anywhere else.
 */
import type { ActionContext } from '../actions/action-context.js';
import type { KeyPress } from '../keys.js';
import { toErrorInfo } from '../store/error-info.js';
import { appsStoreFor, groupRef, rowGroup, selectedRow } from '../store/apps-store.js';
import type { AppsActionResult } from '../store/apps-store.js';
import { appsSourceOf } from './apps-source.js';

/** Action ids the Apps panel adds to views/keys.ts. */
export type AppsActionId = 'failover' | 'reload' | 'backup';

const GROUP_ACTIONS: readonly string[] = ['failover', 'reload', 'backup'];

export async function refreshApps(ctx: ActionContext): Promise<void> {
  const source = appsSourceOf(ctx.source);
  if (!source) return;
  try {
    appsStoreFor(ctx.store).getState().setApps(await source.tree());
  } catch (error) {
    ctx.store.getState().setError(toErrorInfo(error));
  }
}

/** Runs one action on a group: busy while it runs, then its result in the notice line and in the group's details. */
async function runAction(ctx: ActionContext, action: AppsActionResult['action'], group: string, work: () => Promise<string>): Promise<void> {
  const slice = appsStoreFor(ctx.store).getState();
  const label = `${action} ${group}`;
  if (slice.busy) {
    ctx.store.getState().setNotice(`wait: ${slice.busy} is still running`);
    return;
  }
  slice.setBusy(label);
  ctx.store.getState().setNotice(`${label}…`);
  const at = new Date().toISOString();
  try {
    const text = await work();
    appsStoreFor(ctx.store).getState().setResult(group, { action, ok: true, text, at });
    ctx.store.getState().setNotice(text);
  } catch (error) {
    const info = toErrorInfo(error);
    appsStoreFor(ctx.store).getState().setResult(group, { action, ok: false, text: `${action} failed: ${info.message}${info.hint ? ` — ${info.hint}` : ''}`, at });
    ctx.store.getState().setError(info);
  } finally {
    appsStoreFor(ctx.store).getState().setBusy(null);
  }
  await refreshApps(ctx);
}

export function failoverNow(ctx: ActionContext, group: string): Promise<void> {
  return runAction(ctx, 'failover', group, async () => {
    const report = await appsSourceOf(ctx.source)!.failover(group);
    return `${report.group}: ${report.newMaster} is the master now (was ${report.oldMaster || '-'})`;
  });
}

export function reloadNow(ctx: ActionContext, group: string): Promise<void> {
  return runAction(ctx, 'reload', group, async () => {
    const report = await appsSourceOf(ctx.source)!.reload(group);
    const restarted = report.instances.filter((i) => i.restarted).map((i) => i.instance);
    const pending = report.instances.filter((i) => i.requiresRestart && !i.restarted).map((i) => i.instance);
    const failed = report.instances.filter((i) => i.error).map((i) => i.instance);
    const config = report.configMapUpdated ? 're-rendered ConfigMap' : report.source === 'live' ? 'ConfigMap as edited in the cluster' : 'ConfigMap unchanged';
    return `${report.group}: reloaded (${config})${restarted.length ? `; restarted ${restarted.join(', ')} for ${[...new Set(report.instances.flatMap((i) => i.restartKeys))].join(', ')}` : ''}`
      + `${pending.length ? `; restart pending on ${pending.join(', ')}` : ''}${failed.length ? `; not reached: ${failed.join(', ')}` : ''}`;
  });
}

export function backupNow(ctx: ActionContext, group: string): Promise<void> {
  return runAction(ctx, 'backup', group, async () => {
    const report = await appsSourceOf(ctx.source)!.backup(group);
    return `${report.group}: backed up ${report.source} to ${report.target} as ${report.backup.name}${report.pruned.length ? ` (pruned ${report.pruned.length})` : ''}`;
  });
}

export function appsAction(action: string, ctx: ActionContext): void {
  const slice = appsStoreFor(ctx.store);
  const state = slice.getState();
  const page = Math.max(1, state.viewportRows - 1);
  const selected = rowGroup(selectedRow(state));
  switch (action) {
    case 'down': state.moveBy(1); return;
    case 'up': state.moveBy(-1); return;
    case 'pageDown': state.moveBy(page); return;
    case 'pageUp': state.moveBy(-page); return;
    case 'top': state.moveTo(0); return;
    case 'bottom': state.moveTo(-1); return;
    case 'details':
      if (selected) state.openOverlay({ kind: 'details', group: groupRef(selected) });
      return;
    default:
      break;
  }
  if (!GROUP_ACTIONS.includes(action)) return;
  const source = appsSourceOf(ctx.source);
  const fromDetails = state.overlay?.kind === 'details' ? state.overlay.group : undefined;
  const ref = fromDetails ?? (selected ? groupRef(selected) : undefined);
  if (!source || !ref) {
    ctx.store.getState().setNotice(source ? 'select a group (or one of its members) first' : 'apps are not available from this source');
    return;
  }
  if (action === 'failover') {
    state.openOverlay({ kind: 'confirm', action: 'failover', group: ref, choice: 'cancel', ...(fromDetails ? { returnTo: 'details' as const } : {}) });
  } else if (action === 'reload') {
    void reloadNow(ctx, ref);
  } else {
    void backupNow(ctx, ref);
  }
}

interface OverlayKey extends KeyPress {
  leftArrow: boolean;
  rightArrow: boolean;
}

/** Keys that leave the details to the bindings table (so read-only refuses them there, in one place). */
const DETAILS_PASS_THROUGH = new Set(['F', 'L', 'B']);

/** Keys for the panel's overlays; true when consumed. Call it before the bindings table while Apps is focused. */
export function appsOverlayKey(input: string, key: OverlayKey, ctx: ActionContext): boolean {
  const slice = appsStoreFor(ctx.store);
  const overlay = slice.getState().overlay;
  if (!overlay) return false;
  if (overlay.kind === 'details') {
    if (key.escape || key.return || input === 'q') {
      slice.getState().closeOverlay();
      return true;
    }
    if (DETAILS_PASS_THROUGH.has(input) && !key.ctrl) return false;
    return !(key.ctrl && input === 'c');
  }
  const back = () => {
    if (overlay.returnTo === 'details') slice.getState().openOverlay({ kind: 'details', group: overlay.group });
    else slice.getState().closeOverlay();
  };
  if (key.leftArrow || key.rightArrow || key.tab || input === 'h' || input === 'l') {
    slice.getState().openOverlay({ ...overlay, choice: overlay.choice === 'cancel' ? 'confirm' : 'cancel' });
    return true;
  }
  if (key.return) {
    back();
    if (overlay.choice === 'confirm') void failoverNow(ctx, overlay.group);
    return true;
  }
  if (key.escape || input === 'n' || input === 'q') {
    back();
    return true;
  }
  return !(key.ctrl && input === 'c');
}
