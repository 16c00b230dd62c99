import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ClusterRecord } from '../../core/inventory/types.js';
import type { PanelId } from '../panel-id.js';
import type { CockpitStatus } from '../source.js';
import { clamp, filterClusters, windowStart } from './cluster-view.js';
import { createDriftSlice } from './drift-slice.js';
import type { DriftSlice } from './drift-slice.js';
import type { ErrorInfo } from './error-info.js';
import { createInstallsSlice } from './installs-slice.js';
import type { InstallsSlice } from './installs-slice.js';
import { createOperationSlice } from './operation-slice.js';
import type { OperationSlice } from './operation-slice.js';
import type { Overlay } from './overlay.js';

export type { Overlay } from './overlay.js';

/** The Clusters panel and the frame; the other panels' state comes in slices (drift, installs, operation). */
export interface CockpitState extends DriftSlice, InstallsSlice, OperationSlice {
  status: CockpitStatus;
  clusters: ClusterRecord[];
  loaded: boolean;
  filter: string;
  /** `clusters` after the filter; recomputed only when either changes. */
  visible: ClusterRecord[];
  /** Index into `visible`. */
  selected: number;
  /** First row of the table window. */
  top: number;
  /** Table rows that fit on screen; set by the frame from the terminal height. */
  viewportRows: number;
  marked: ReadonlySet<string>;
  panel: PanelId;
  overlay: Overlay | null;
  error: ErrorInfo | null;
  notice: string | null;
  quitRequested: boolean;

  /** The status once the database is open (the first frame shows it while still opening). */
  setStatus(status: CockpitStatus): void;
  setClusters(clusters: ClusterRecord[]): void;
  setFilter(filter: string): void;
  moveBy(delta: number): void;
  moveTo(index: number): void;
  setViewport(rows: number): void;
  toggleMark(): void;
  clearMarks(): void;
  setPanel(panel: PanelId): void;
  openOverlay(overlay: Overlay): void;
  closeOverlay(): void;
  setError(error: ErrorInfo | null): void;
  setNotice(notice: string | null): void;
  requestQuit(): void;
}

export type CockpitStore = StoreApi<CockpitState>;

export function selectedCluster(state: CockpitState): ClusterRecord | undefined {
  return state.visible[state.selected];
}

/** The names a bulk action applies to: the marked rows, else the selected one. */
export function actionTargets(state: CockpitState): string[] {
  if (state.marked.size > 0) return [...state.marked];
  const selected = selectedCluster(state);
  return selected ? [selected.name] : [];
}

export function createCockpitStore(status: CockpitStatus, viewportRows = 20): CockpitStore {
  return createStore<CockpitState>()((set, get, api) => {
    const place = (selected: number, visible = get().visible) => {
      const index = clamp(selected, 0, Math.max(0, visible.length - 1));
      return { selected: index, top: windowStart(get().top, index, get().viewportRows, visible.length) };
    };
    return {
      ...createDriftSlice(set, get, api),
      ...createInstallsSlice(set, get, api),
      ...createOperationSlice(set, get, api),
      status,
      clusters: [],
      loaded: false,
      filter: '',
      visible: [],
      selected: 0,
      top: 0,
      viewportRows,
      marked: new Set<string>(),
      panel: 'clusters',
      overlay: null,
      error: null,
      notice: null,
      quitRequested: false,

      setStatus(next) {
        set({ status: next });
      },
      setClusters(clusters) {
        const state = get();
        const selectedName = selectedCluster(state)?.name;
        const visible = filterClusters(clusters, state.filter);
        // Keep the cursor on the same cluster when the data moves under it.
        let index = selectedName === undefined ? state.selected : visible.findIndex((c) => c.name === selectedName);
        if (index < 0) index = state.selected;
        let marked = state.marked;
        if (marked.size > 0) {
          const names = new Set(clusters.map((c) => c.name));
          const kept = [...marked].filter((name) => names.has(name));
          if (kept.length !== marked.size) marked = new Set(kept);
        }
        set({ clusters, visible, loaded: true, marked, ...place(index, visible) });
      },
      setFilter(filter) {
        const visible = filterClusters(get().clusters, filter);
        set({ filter, visible, selected: 0, top: 0 });
      },
      moveBy(delta) {
        set(place(get().selected + delta));
      },
      moveTo(index) {
        set(place(index < 0 ? get().visible.length - 1 : index));
      },
      setViewport(rows) {
        const state = get();
        set({ viewportRows: rows, top: windowStart(state.top, state.selected, rows, state.visible.length) });
      },
      toggleMark() {
        const cluster = selectedCluster(get());
        if (!cluster) return;
        const marked = new Set(get().marked);
        if (marked.has(cluster.name)) marked.delete(cluster.name);
        else marked.add(cluster.name);
        set({ marked });
      },
      clearMarks() { set({ marked: new Set<string>() }); },
      setPanel(panel) {
        set({ panel, overlay: null });
      },
      openOverlay(overlay) { set({ overlay }); },
      closeOverlay() { set({ overlay: null }); },
      setError(error) {
        set({ error, notice: null });
      },
      setNotice(notice) {
        set({ notice, error: null });
      },
      requestQuit() { set({ quitRequested: true }); },
    };
  });
}
