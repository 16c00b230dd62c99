import { clamp } from './cluster-view.js';

/** Selection and marks of a list panel (Drift, Installs); marks are keys, so they survive re-reads. */
export interface ListCursor {
  selected: number;
  marked: ReadonlySet<string>;
}

export const EMPTY_CURSOR: ListCursor = { selected: 0, marked: new Set<string>() };

/** delta moves by rows; 'top' / 'bottom' jump. */
export type Move = number | 'top' | 'bottom';

export function moveCursor(cursor: ListCursor, move: Move, total: number): ListCursor {
  const target = move === 'top' ? 0 : move === 'bottom' ? total - 1 : cursor.selected + move;
  return { ...cursor, selected: clamp(target, 0, Math.max(0, total - 1)) };
}

export function toggleMark(cursor: ListCursor, key: string | undefined): ListCursor {
  if (key === undefined) return cursor;
  const marked = new Set(cursor.marked);
  if (marked.has(key)) marked.delete(key);
  else marked.add(key);
  return { ...cursor, marked };
}

/** After a re-read: keep the cursor on the same key, drop marks whose rows are gone. */
export function followKeys(cursor: ListCursor, oldKey: string | undefined, keys: readonly string[]): ListCursor {
  let selected = oldKey === undefined ? cursor.selected : keys.indexOf(oldKey);
  if (selected < 0) selected = cursor.selected;
  selected = clamp(selected, 0, Math.max(0, keys.length - 1));
  const present = new Set(keys);
  const kept = [...cursor.marked].filter((key) => present.has(key));
  return { selected, marked: kept.length === cursor.marked.size ? cursor.marked : new Set(kept) };
}

/** The keys an action applies to: the marked ones, else the selected one. */
export function cursorTargets(cursor: ListCursor, keys: readonly string[]): string[] {
  if (cursor.marked.size > 0) return keys.filter((key) => cursor.marked.has(key));
  const key = keys[cursor.selected];
  return key === undefined ? [] : [key];
}
