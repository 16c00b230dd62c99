/**
 * The DR panel's keys and its live sync. Navigation moves in the focused section (plans, executions, actions;
 * ←/→ switch); `x` execute and `R` revert ask for the plan's name to be typed, `c` cancel asks with Cancel as the
 * default; `enter` shows a plan's dry run, opens an execution's actions, or shows an action's details.
 * While the panel's overlay is open, drOverlayKey sees the keys first (the dispatcher calls it before the table).
 */
import type { ActionContext } from '../actions/action-context.js';
import type { RawKey } from '../actions/overlay-keys.js';
import { coalescedRead } from '../store/coalesce.js';
import { toErrorInfo } from '../store/error-info.js';
import {
  DR_SECTIONS, drStoreFor, isActive, planKey, selectedExecution, selectedPlan, selectedTimelineRow, timelineKey,
} from '../store/dr-store.js';
import type { DrOverlay, DrStore } from '../store/dr-store.js';
import { drSourceOf, executionPlanRef } from './dr-source.js';
import type { DrSource } from './dr-source.js';

/** Action ids the DR panel adds to views/keys.ts. */
export type DrActionId = 'execute' | 'revert' | 'cancelExecution' | 'nextSection' | 'prevSection';

/** How many executions the panel lists (newest first). */
export const DR_EXECUTIONS_LISTED = 100;
/**
 * The executor publishes `dr` events as actions move (at most every 250 ms), here and, through NOTIFY, from
 * other processes. This slow re-read, only while the selected execution is active, covers a missed notification.
 */
export const DR_ACTIVE_FALLBACK_MS = 5_000;

export const renderingKeyOfExecution = (id: string): string => `execution:${id}`;
export const renderingKeyOfPlan = (plan: string): string => `plan:${plan}`;

export async function refreshDrLists(ctx: ActionContext): Promise<void> {
  const source = drSourceOf(ctx.source);
  if (!source) return;
  try {
    const [plans, executions] = await Promise.all([source.listPlans(), source.listExecutions(DR_EXECUTIONS_LISTED)]);
    drStoreFor(ctx.store).getState().setLists(plans, executions);
  } catch (error) {
    ctx.store.getState().setError(toErrorInfo(error));
  }
}

/** Re-reads the selected execution and its actions. */
export async function refreshDrView(ctx: ActionContext): Promise<void> {
  const source = drSourceOf(ctx.source);
  const slice = drStoreFor(ctx.store);
  const id = selectedExecution(slice.getState())?.id;
  if (!source) return;
  if (id === undefined) { slice.getState().setView(null); return; }
  try {
    const view = await source.status(id);
    if (selectedExecution(slice.getState())?.id === id) slice.getState().setView(view);
  } catch {
    // The execution may be gone; the next list read shows that.
  }
}

/** Reads a dry run once per key; a refused dry run (missing parameter, plan changed) is kept as its error. */
async function loadRendering(source: DrSource, slice: DrStore, key: string, plan: string, params: Record<string, string>): Promise<void> {
  const known = slice.getState().renderings[key];
  if (known && known.state !== 'failed') return;
  slice.getState().setRendering(key, { state: 'loading' });
  try {
    slice.getState().setRendering(key, { state: 'ready', rendering: await source.dryRun(plan, params) });
  } catch (error) {
    slice.getState().setRendering(key, { state: 'failed', error: toErrorInfo(error) });
  }
}

/** Keeps the slice current while the panel is open: `dr` events, a changed selection, and the slow fallback. */
export function startDrSync(ctx: ActionContext, debounceMs = 50): { stop(): void } {
  const source = drSourceOf(ctx.source);
  if (!source) return { stop() {} };
  const slice = drStoreFor(ctx.store);
  const lists = coalescedRead(() => refreshDrLists(ctx), debounceMs);
  const view = coalescedRead(() => refreshDrView(ctx), debounceMs);
  // The selected Execute's dry run gives each action's dependencies (the DAG column); read once per execution.
  const dag = (): void => {
    const e = selectedExecution(slice.getState());
    if (e?.kind === 'Execute') void loadRendering(source, slice, renderingKeyOfExecution(e.id), executionPlanRef(e), e.params);
  };
  void lists.now().then(() => { dag(); return view.now(); });
  const unsubscribe = ctx.source.subscribe((event) => {
    if (event.topic !== 'dr') return;
    // Progress changes one execution's actions, not the lists.
    if (event.type !== 'execution.progress') lists.schedule();
    if (event.target === undefined || event.target === selectedExecution(slice.getState())?.id) view.schedule();
  });
  const unsubscribeSlice = slice.subscribe((now, before) => {
    const id = selectedExecution(now)?.id;
    if (id === selectedExecution(before)?.id) return;
    if (now.view && now.view.id !== id) now.setView(null);
    dag();
    void view.now();
  });
  const timer = setInterval(() => {
    const selected = selectedExecution(slice.getState());
    if (selected && isActive(selected.phase)) {
      lists.schedule();
      view.schedule();
    }
  }, DR_ACTIVE_FALLBACK_MS);
  return {
    stop() {
      unsubscribe();
      unsubscribeSlice();
      clearInterval(timer);
      lists.cancel();
      view.cancel();
    },
  };
}

/** Creates the execution, follows it in the panel, and runs it here in the background. */
async function startAndRun(ctx: ActionContext, start: (source: DrSource) => Promise<{ id: string; kind: string }>): Promise<void> {
  const source = drSourceOf(ctx.source);
  if (!source) return;
  const cockpit = () => ctx.store.getState();
  let id: string;
  try {
    const execution = await start(source);
    id = execution.id;
    drStoreFor(ctx.store).getState().selectExecution(id);
    cockpit().setNotice(`${execution.kind} ${id} started`);
  } catch (error) {
    cockpit().setError(toErrorInfo(error));
    return;
  }
  await refreshDrLists(ctx);
  await refreshDrView(ctx);
  try {
    const outcome = await source.run(id);
    const { phase, message } = outcome.execution;
    if (!outcome.ran) cockpit().setNotice(`${id} was not run here: ${outcome.reason}`);
    else if (phase === 'Failed') {
      cockpit().setError({ message: `${id} Failed${message ? `: ${message}` : ''}`,
        hint: 'enter on a failed action shows its error; R reverts the actions that succeeded.' });
    } else cockpit().setNotice(`${id} ${phase}`);
  } catch (error) {
    cockpit().setError(toErrorInfo(error));
  }
  await refreshDrLists(ctx);
  await refreshDrView(ctx);
}

export function executePlan(ctx: ActionContext, plan: string): Promise<void> {
  return startAndRun(ctx, (source) => source.startExecute(plan));
}

export function revertExecution(ctx: ActionContext, execution: string): Promise<void> {
  return startAndRun(ctx, (source) => source.startRevert(execution));
}

export async function cancelExecution(ctx: ActionContext, execution: string): Promise<void> {
  const source = drSourceOf(ctx.source);
  if (!source) return;
  try {
    await source.cancel(execution);
    ctx.store.getState().setNotice(`cancel requested for ${execution}`);
  } catch (error) {
    ctx.store.getState().setError(toErrorInfo(error));
  }
  await refreshDrLists(ctx);
  await refreshDrView(ctx);
}

function openDetails(ctx: ActionContext, source: DrSource): void {
  const slice = drStoreFor(ctx.store);
  const state = slice.getState();
  if (state.section === 'plans') {
    const plan = selectedPlan(state);
    if (!plan) return;
    state.openOverlay({ kind: 'dry-run', plan: planKey(plan), scroll: 0 });
    void loadRendering(source, slice, renderingKeyOfPlan(planKey(plan)), planKey(plan), {});
  } else if (state.section === 'executions') {
    if (selectedExecution(state)) state.focus('actions');
  } else {
    const row = selectedTimelineRow(state);
    const execution = state.view;
    if (row?.kind !== 'action' || !execution) {
      ctx.store.getState().setNotice('select an action (not its stage or workflow) for its details');
      return;
    }
    state.openOverlay({ kind: 'action', execution: execution.id, action: timelineKey(row.status), scroll: 0 });
    void loadRendering(source, slice, renderingKeyOfExecution(execution.id), executionPlanRef(execution), execution.params);
  }
}

export function drAction(action: string, ctx: ActionContext): void {
  const slice = drStoreFor(ctx.store);
  const state = slice.getState();
  const page = Math.max(1, state.viewports[state.section] - 1);
  const source = drSourceOf(ctx.source);
  const section = DR_SECTIONS.indexOf(state.section);
  switch (action) {
    case 'down': state.moveBy(1); return;
    case 'up': state.moveBy(-1); return;
    case 'pageDown': state.moveBy(page); return;
    case 'pageUp': state.moveBy(-page); return;
    case 'top': state.moveTo(0); return;
    case 'bottom': state.moveTo(-1); return;
    case 'nextSection': state.focus(DR_SECTIONS[Math.min(DR_SECTIONS.length - 1, section + 1)]!); return;
    case 'prevSection': state.focus(DR_SECTIONS[Math.max(0, section - 1)]!); return;
    case 'back':
      if (state.section === 'actions') state.focus('executions');
      return;
    default:
      break;
  }
  if (!source) {
    if (action === 'details' || action === 'execute' || action === 'revert' || action === 'cancelExecution') {
      ctx.store.getState().setNotice('DR plans are not available from this source');
    }
    return;
  }
  const notice = (text: string) => ctx.store.getState().setNotice(text);
  if (action === 'details') { openDetails(ctx, source); return; }
  if (action === 'execute') {
    const plan = selectedPlan(state);
    if (!plan) { notice('no DR plan to execute: store one with `fleetdeck dr apply -f FILE`'); return; }
    state.openOverlay({ kind: 'typed', action: 'execute', target: planKey(plan), expected: plan.name, typed: '', mismatch: false });
    return;
  }
  const execution = selectedExecution(state);
  if (action === 'revert') {
    if (!execution) { notice('no execution to revert'); return; }
    state.openOverlay({ kind: 'typed', action: 'revert', target: execution.id, expected: execution.planName, typed: '', mismatch: false });
  } else if (action === 'cancelExecution') {
    if (!execution) { notice('no execution to cancel'); return; }
    if (!isActive(execution.phase)) { notice(`${execution.id} is already ${execution.phase}: nothing to cancel`); return; }
    state.openOverlay({ kind: 'cancel', execution: execution.id, choice: 'cancel' });
  }
}

const isText = (input: string, key: RawKey): boolean =>
  input.length > 0 && !key.ctrl && !key.escape && !key.return && !key.tab && !/[\x00-\x1f\x7f]/.test(input);
/** ctrl-c always reaches the quit binding. */
const swallow = (input: string, key: RawKey): boolean => !(key.ctrl && input === 'c');

function typedKey(overlay: Extract<DrOverlay, { kind: 'typed' }>, input: string, key: RawKey, ctx: ActionContext, slice: DrStore): boolean {
  const state = slice.getState();
  if (key.escape) { state.closeOverlay(); return true; }
  if (key.return) {
    if (overlay.typed !== overlay.expected) { state.openOverlay({ ...overlay, mismatch: true }); return true; }
    state.closeOverlay();
    void (overlay.action === 'execute' ? executePlan(ctx, overlay.target) : revertExecution(ctx, overlay.target));
    return true;
  }
  if (key.backspace || key.delete) { state.openOverlay({ ...overlay, typed: overlay.typed.slice(0, -1), mismatch: false }); return true; }
  if (isText(input, key)) { state.openOverlay({ ...overlay, typed: overlay.typed + input, mismatch: false }); return true; }
  return swallow(input, key);
}

/** Keys for the panel's overlays; true when consumed. Call it before the bindings table while DR is focused. */
export function drOverlayKey(input: string, key: RawKey, ctx: ActionContext): boolean {
  const slice = drStoreFor(ctx.store);
  const overlay = slice.getState().overlay;
  if (!overlay) return false;
  const state = slice.getState();
  switch (overlay.kind) {
    case 'typed':
      return typedKey(overlay, input, key, ctx, slice);
    case 'cancel':
      if (key.leftArrow || key.rightArrow || key.tab || input === 'h' || input === 'l') {
        state.openOverlay({ ...overlay, choice: overlay.choice === 'cancel' ? 'confirm' : 'cancel' });
        return true;
      }
      if (key.return) {
        state.closeOverlay();
        if (overlay.choice === 'confirm') void cancelExecution(ctx, overlay.execution);
        return true;
      }
      if (key.escape || input === 'n' || input === 'q') { state.closeOverlay(); return true; }
      return swallow(input, key);
    case 'dry-run':
    case 'action': {
      if (key.escape || key.return || input === 'q') { state.closeOverlay(); return true; }
      const page = Math.max(1, state.viewports.actions);
      const by = key.downArrow || input === 'j' ? 1 : key.upArrow || input === 'k' ? -1 : key.pageDown || (key.ctrl && input === 'f') ? page
        : key.pageUp || (key.ctrl && input === 'b') ? -page : input === 'g' || key.home ? -Infinity : input === 'G' || key.end ? Infinity : 0;
      // The overlay clamps the scroll to its text; here it only has to stay a finite, non-negative number.
      if (by !== 0) state.openOverlay({ ...overlay, scroll: Math.max(0, Math.min(1_000_000, overlay.scroll + by)) });
      return swallow(input, key);
    }
  }
}
