import type { StateCreator } from 'zustand/vanilla';
import type { DriftItem, DriftReport } from '../../core/drift/types.js';
import { DRIFT_KINDS } from '../../core/drift/types.js';
import type { ErrorInfo } from './error-info.js';
import { EMPTY_CURSOR, cursorTargets, followKeys, moveCursor, toggleMark } from './list-cursor.js';
import type { ListCursor, Move } from './list-cursor.js';

export interface DriftState {
  report: DriftReport | null;
  /** The report's items grouped by kind (in DRIFT_KINDS order), then by target: the order on screen. */
  items: DriftItem[];
  scanning: boolean;
  /** The last scan failed as a whole (single sources that could not be checked are in the report). */
  error: ErrorInfo | null;
  cursor: ListCursor;
}

export interface DriftSlice {
  drift: DriftState;
  setDriftReport(report: DriftReport): void;
  setDriftScanning(scanning: boolean, error?: ErrorInfo | null): void;
  moveDrift(move: Move): void;
  toggleDriftMark(): void;
  clearDriftMarks(): void;
}

export function groupedItems(items: readonly DriftItem[]): DriftItem[] {
  const rank = (item: DriftItem) => DRIFT_KINDS.indexOf(item.kind);
  return [...items].sort((a, b) => rank(a) - rank(b) || a.target.localeCompare(b.target) || a.id.localeCompare(b.id));
}

/** Ids of the marked items, else the selected one. */
export function driftTargets(drift: DriftState): string[] {
  return cursorTargets(drift.cursor, drift.items.map((item) => item.id));
}

export const createDriftSlice: StateCreator<DriftSlice> = (set, get) => ({
  drift: { report: null, items: [], scanning: false, error: null, cursor: EMPTY_CURSOR },
  setDriftReport(report) {
    const { drift } = get();
    const items = groupedItems(report.items);
    const cursor = followKeys(drift.cursor, drift.items[drift.cursor.selected]?.id, items.map((item) => item.id));
    set({ drift: { ...drift, report, items, cursor, scanning: false, error: null } });
  },
  setDriftScanning(scanning, error = null) {
    set({ drift: { ...get().drift, scanning, error } });
  },
  moveDrift(move) {
    const { drift } = get();
    set({ drift: { ...drift, cursor: moveCursor(drift.cursor, move, drift.items.length) } });
  },
  toggleDriftMark() {
    const { drift } = get();
    set({ drift: { ...drift, cursor: toggleMark(drift.cursor, drift.items[drift.cursor.selected]?.id) } });
  },
  clearDriftMarks() {
    const { drift } = get();
    set({ drift: { ...drift, cursor: { ...drift.cursor, marked: new Set<string>() } } });
  },
});
