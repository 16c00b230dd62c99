import type { StateCreator } from 'zustand/vanilla';
import type { ClusterInstallSummary } from '../../core/dataplane/deploy-service.js';
import type { InstallView } from '../../core/dataplane/types.js';
import type { ErrorInfo } from './error-info.js';
import { EMPTY_CURSOR, cursorTargets, followKeys, moveCursor, toggleMark } from './list-cursor.js';
import type { ListCursor, Move } from './list-cursor.js';

/** What the last deploy / retry from this cockpit did for one cluster (a bulk deploy follows each row to its end). */
export interface ActionResult {
  state: 'waiting' | 'sending' | 'queued' | 'running' | 'done' | 'failed';
  message: string;
}

export interface InstallsState {
  rows: ClusterInstallSummary[];
  loaded: boolean;
  error: ErrorInfo | null;
  cursor: ListCursor;
  /** The selected cluster's stages and history; null until read. */
  view: InstallView | null;
  results: Readonly<Record<string, ActionResult>>;
}

export interface InstallsSlice {
  installs: InstallsState;
  setInstallRows(rows: ClusterInstallSummary[]): void;
  setInstallsError(error: ErrorInfo): void;
  setInstallView(view: InstallView | null): void;
  setInstallResult(cluster: string, result: ActionResult): void;
  moveInstalls(move: Move): void;
  toggleInstallMark(): void;
  clearInstallMarks(): void;
}

export function selectedInstall(installs: InstallsState): ClusterInstallSummary | undefined {
  return installs.rows[installs.cursor.selected];
}

export function installTargets(installs: InstallsState): string[] {
  return cursorTargets(installs.cursor, installs.rows.map((row) => row.name));
}

export const createInstallsSlice: StateCreator<InstallsSlice> = (set, get) => {
  const update = (patch: Partial<InstallsState>) => set({ installs: { ...get().installs, ...patch } });
  return {
    installs: { rows: [], loaded: false, error: null, cursor: EMPTY_CURSOR, view: null, results: {} },
    setInstallRows(rows) {
      const { installs } = get();
      const cursor = followKeys(installs.cursor, selectedInstall(installs)?.name, rows.map((row) => row.name));
      update({ rows, loaded: true, error: null, cursor });
    },
    setInstallsError(error) {
      update({ error, loaded: true });
    },
    setInstallView(view) {
      update({ view });
    },
    setInstallResult(cluster, result) {
      update({ results: { ...get().installs.results, [cluster]: result } });
    },
    moveInstalls(move) {
      const { installs } = get();
      update({ cursor: moveCursor(installs.cursor, move, installs.rows.length) });
    },
    toggleInstallMark() {
      const { installs } = get();
      update({ cursor: toggleMark(installs.cursor, selectedInstall(installs)?.name) });
    },
    clearInstallMarks() {
      update({ cursor: { ...get().installs.cursor, marked: new Set<string>() } });
    },
  };
};
