import type { ClusterRecord } from '../../core/inventory/types.js';

/**
 * Pure helpers for the Clusters panel's view of the data. The filter pass runs only when the data or the
 * filter text changes; moving the selection is O(1), so a keypress costs the same at 100 or 10,000 rows.
 */
export function matchesFilter(cluster: ClusterRecord, needle: string): boolean {
  if (cluster.name.includes(needle) || cluster.provider.includes(needle)) return true;
  if (cluster.subnet?.includes(needle)) return true;
  return String(cluster.pfPort) === needle || String(cluster.httpPort) === needle || String(cluster.httpsPort) === needle;
}

export function filterClusters(clusters: readonly ClusterRecord[], filter: string): ClusterRecord[] {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return clusters.slice();
  return clusters.filter((cluster) => matchesFilter(cluster, needle));
}

export function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/** The first visible row so that `selected` is inside a window of `rows` rows, moving the window as little as possible. */
export function windowStart(top: number, selected: number, rows: number, total: number): number {
  const size = Math.max(1, rows);
  let start = top;
  if (selected < start) start = selected;
  if (selected >= start + size) start = selected - size + 1;
  return clamp(start, 0, Math.max(0, total - size));
}
