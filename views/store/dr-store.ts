/**
 * The DR panel's slice: plans, recent executions, the selected execution's actions as timeline rows (stage →
 * workflow → action), a cursor per section, dry runs by plan and execution, and the panel's own overlays
 * (typed-name confirm, cancel confirm, dry run, action details). One slice per cockpit store.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { PlanSummary } from '../../core/dr/dr-service.js';
import type { PlanRendering } from '../../core/dr/render/plan.js';
import type { ActionStatusRecord, ExecutionRecord, ExecutionView } from '../../core/dr/store/types.js';
import { clamp, windowStart } from './cluster-view.js';
import { planRef } from '../panels/dr-source.js';
import type { CockpitStore } from './cockpit-store.js';
import type { ErrorInfo } from './error-info.js';

export type DrSection = 'plans' | 'executions' | 'actions';
export const DR_SECTIONS: readonly DrSection[] = ['plans', 'executions', 'actions'];

export interface DrCursor {
  selected: number;
  /** First row of the section's window. */
  top: number;
}

export type TimelineRow =
  | { kind: 'stage'; key: string; stage: string; actions: ActionStatusRecord[] }
  | { kind: 'workflow'; key: string; stage: string; workflow: string }
  | { kind: 'action'; key: string; status: ActionStatusRecord };

export type DrOverlay =
  /** Execute (target = plan `NAMESPACE/NAME`) or Revert (target = execution id): the plan's name must be typed. */
  | { kind: 'typed'; action: 'execute' | 'revert'; target: string; expected: string; typed: string; mismatch: boolean }
  /** Cancel a running execution; Cancel (do nothing) is the default. */
  | { kind: 'cancel'; execution: string; choice: 'cancel' | 'confirm' }
  | { kind: 'dry-run'; plan: string; scroll: number }
  | { kind: 'action'; execution: string; action: string; scroll: number };

/** A dry run being read, read, or refused (e.g. a required parameter is missing). */
export type RenderingState = { state: 'loading' } | { state: 'ready'; rendering: PlanRendering } | { state: 'failed'; error: ErrorInfo };

export interface DrState {
  plans: PlanSummary[];
  executions: ExecutionRecord[];
  loaded: boolean;
  section: DrSection;
  cursors: Record<DrSection, DrCursor>;
  viewports: Record<DrSection, number>;
  /** The selected execution with its actions; null until read (or when nothing is selected). */
  view: ExecutionView | null;
  timeline: TimelineRow[];
  /** Dry runs by `plan:NAMESPACE/NAME` or `execution:ID` (the latter with the execution's params). */
  renderings: Record<string, RenderingState>;
  overlay: DrOverlay | null;
  /** An execution to select as soon as it appears in the list (the one just started). */
  follow: string | null;

  setLists(plans: PlanSummary[], executions: ExecutionRecord[]): void;
  setView(view: ExecutionView | null): void;
  setRendering(key: string, rendering: RenderingState): void;
  focus(section: DrSection): void;
  moveBy(delta: number): void;
  moveTo(index: number): void;
  setViewports(viewports: Record<DrSection, number>): void;
  selectExecution(id: string): void;
  openOverlay(overlay: DrOverlay): void;
  closeOverlay(): void;
}

export type DrStore = StoreApi<DrState>;

export const timelineKey = (a: Pick<ActionStatusRecord, 'stage' | 'workflow' | 'action'>): string => `${a.stage}/${a.workflow}/${a.action}`;

/** Actions grouped by stage, then workflow, in the order they were recorded (dependency order). */
export function timelineRows(actions: readonly ActionStatusRecord[]): TimelineRow[] {
  const stages = new Map<string, Map<string, ActionStatusRecord[]>>();
  for (const action of actions) {
    let workflows = stages.get(action.stage);
    if (!workflows) stages.set(action.stage, (workflows = new Map()));
    let list = workflows.get(action.workflow);
    if (!list) workflows.set(action.workflow, (list = []));
    list.push(action);
  }
  const rows: TimelineRow[] = [];
  for (const [stage, workflows] of stages) {
    rows.push({ kind: 'stage', key: `stage:${stage}`, stage, actions: [...workflows.values()].flat() });
    for (const [workflow, list] of workflows) {
      rows.push({ kind: 'workflow', key: `workflow:${stage}/${workflow}`, stage, workflow });
      for (const status of list) rows.push({ kind: 'action', key: `action:${timelineKey(status)}`, status });
    }
  }
  return rows;
}

/** A plan's identity in the list, and its name for the service. */
export const planKey = (p: Pick<PlanSummary, 'namespace' | 'name'>): string => planRef(p);

export function selectedPlan(state: DrState): PlanSummary | undefined {
  return state.plans[state.cursors.plans.selected];
}

export function selectedExecution(state: DrState): ExecutionRecord | undefined {
  return state.executions[state.cursors.executions.selected];
}

export function selectedTimelineRow(state: DrState): TimelineRow | undefined {
  return state.timeline[state.cursors.actions.selected];
}

export const isActive = (phase: string): boolean => phase === 'Pending' || phase === 'Running';

function lengthOf(state: Pick<DrState, 'plans' | 'executions' | 'timeline'>, section: DrSection): number {
  return section === 'plans' ? state.plans.length : section === 'executions' ? state.executions.length : state.timeline.length;
}

function place(cursor: DrCursor, selected: number, total: number, viewport: number): DrCursor {
  const index = clamp(selected, 0, Math.max(0, total - 1));
  return { selected: index, top: windowStart(cursor.top, index, viewport, total) };
}

function indexOrKept(index: number, fallback: number): number {
  return index >= 0 ? index : fallback;
}

/**
 * The timeline's cursor rests on actions only (stage and workflow rows are headings): the nearest action from
 * `index` in the direction of travel, else the other way. The first action shows its headings above it.
 */
function actionCursor(cursor: DrCursor, timeline: readonly TimelineRow[], index: number, direction: 1 | -1, viewport: number): DrCursor {
  const at = clamp(index, 0, Math.max(0, timeline.length - 1));
  let found = -1;
  for (let i = at; i >= 0 && i < timeline.length; i += direction) if (timeline[i]!.kind === 'action') { found = i; break; }
  if (found < 0) for (let i = at; i >= 0 && i < timeline.length; i -= direction) if (timeline[i]!.kind === 'action') { found = i; break; }
  const placed = place(cursor, found < 0 ? at : found, timeline.length, viewport);
  const first = timeline.findIndex((row) => row.kind === 'action');
  return placed.selected === first && first < viewport ? { ...placed, top: 0 } : placed;
}

export function createDrStore(): DrStore {
  return createStore<DrState>()((set, get) => {
    const moveSection = (section: DrSection, selected: number, direction: 1 | -1 = 1) => {
      const state = get();
      const cursor = section === 'actions'
        ? actionCursor(state.cursors.actions, state.timeline, selected, direction, state.viewports.actions)
        : place(state.cursors[section], selected, lengthOf(state, section), state.viewports[section]);
      set({ cursors: { ...state.cursors, [section]: cursor } });
    };
    return {
      plans: [], executions: [], loaded: false, section: 'plans',
      cursors: { plans: { selected: 0, top: 0 }, executions: { selected: 0, top: 0 }, actions: { selected: 0, top: 0 } },
      viewports: { plans: 5, executions: 5, actions: 10 },
      view: null, timeline: [], renderings: {}, overlay: null, follow: null,

      setLists(plans, executions) {
        const state = get();
        const plan = selectedPlan(state);
        const wanted = state.follow ?? selectedExecution(state)?.id;
        const planIndex = plan ? plans.findIndex((p) => planKey(p) === planKey(plan)) : -1;
        const executionIndex = wanted === undefined ? -1 : executions.findIndex((e) => e.id === wanted);
        const follow = state.follow !== null && executionIndex < 0 ? state.follow : null;
        set({
          plans, executions, loaded: true, follow,
          cursors: {
            ...state.cursors,
            plans: place(state.cursors.plans, indexOrKept(planIndex, state.cursors.plans.selected), plans.length, state.viewports.plans),
            executions: place(state.cursors.executions, indexOrKept(executionIndex, state.cursors.executions.selected), executions.length, state.viewports.executions),
          },
        });
      },
      setView(view) {
        const state = get();
        const timeline = view ? timelineRows(view.actions) : [];
        const key = selectedTimelineRow(state)?.key;
        const sameExecution = view !== null && state.view?.id === view.id;
        const kept = sameExecution && key !== undefined ? timeline.findIndex((r) => r.key === key) : -1;
        const start = sameExecution ? state.cursors.actions : { selected: 0, top: 0 };
        set({ view, timeline, cursors: { ...state.cursors, actions: actionCursor(start, timeline, indexOrKept(kept, start.selected), 1, state.viewports.actions) } });
      },
      setRendering(key, rendering) { set({ renderings: { ...get().renderings, [key]: rendering } }); },
      focus(section) { set({ section }); },
      moveBy(delta) {
        const { section, cursors } = get();
        moveSection(section, cursors[section].selected + delta, delta < 0 ? -1 : 1);
      },
      moveTo(index) {
        const state = get();
        moveSection(state.section, index < 0 ? lengthOf(state, state.section) - 1 : index, index < 0 ? -1 : 1);
      },
      setViewports(viewports) {
        const state = get();
        if (DR_SECTIONS.every((s) => state.viewports[s] === viewports[s])) return;
        const cursors = { ...state.cursors };
        for (const s of DR_SECTIONS) cursors[s] = place(cursors[s], cursors[s].selected, lengthOf(state, s), viewports[s]);
        if (state.timeline.length > 0) cursors.actions = actionCursor(cursors.actions, state.timeline, cursors.actions.selected, 1, viewports.actions);
        set({ viewports, cursors });
      },
      selectExecution(id) {
        const state = get();
        const index = state.executions.findIndex((e) => e.id === id);
        if (index < 0) { set({ follow: id }); return; }
        set({ follow: null, cursors: { ...state.cursors, executions: place(state.cursors.executions, index, state.executions.length, state.viewports.executions) } });
      },
      openOverlay(overlay) { set({ overlay }); },
      closeOverlay() { set({ overlay: null }); },
    };
  });
}

const slices = new WeakMap<CockpitStore, DrStore>();

/** The DR slice that belongs to a cockpit store (created on first use). */
export function drStoreFor(cockpit: CockpitStore): DrStore {
  let slice = slices.get(cockpit);
  if (!slice) {
    slice = createDrStore();
    slices.set(cockpit, slice);
  }
  return slice;
}
