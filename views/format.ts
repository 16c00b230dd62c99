import type { ClusterRecord } from '../core/inventory/types.js';

export function age(iso: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000));
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

export interface Column {
  title: string;
  width: number;
  cell(cluster: ClusterRecord, now: number): string;
}

/** The Clusters table's columns; NAME's width adapts to the rows on screen. */
export const CLUSTER_COLUMNS: readonly Column[] = [
  { title: 'NAME', width: 20, cell: (c) => c.name },
  { title: 'PROVIDER', width: 8, cell: (c) => c.provider },
  { title: 'SUBNET', width: 18, cell: (c) => c.subnet ?? '-' },
  { title: 'PF', width: 5, cell: (c) => String(c.pfPort) },
  { title: 'HTTP', width: 5, cell: (c) => String(c.httpPort) },
  { title: 'HTTPS', width: 5, cell: (c) => String(c.httpsPort) },
  { title: 'NODEPORT', width: 8, cell: (c) => String(c.nodePort) },
  { title: 'PORTAINER', width: 9, cell: (c) => yesNo(c.registerPortainer) },
  { title: 'HAPROXY', width: 7, cell: (c) => yesNo(c.haproxyRoute) },
  { title: 'AGE', width: 4, cell: (c, now) => age(c.createdAt, now) },
];

export function formatCells(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
}

/** Column widths for the rows on screen only: the cost follows the window, not the fleet. */
export function columnWidths(rows: readonly ClusterRecord[]): number[] {
  const widths = CLUSTER_COLUMNS.map((column) => Math.max(column.title.length, column.width));
  const longestName = rows.reduce((max, row) => Math.max(max, row.name.length), 0);
  widths[0] = Math.max(CLUSTER_COLUMNS[0]!.title.length, Math.min(longestName, 40), 12);
  return widths;
}

/** Every field of a cluster, for the details overlay and the plain snapshot. */
export function clusterFields(cluster: ClusterRecord): [string, string][] {
  return [
    ['Name', cluster.name],
    ['Provider', cluster.provider],
    ['Subnet', cluster.subnet ?? '-'],
    ['Port-forward port', String(cluster.pfPort)],
    ['HTTP port', String(cluster.httpPort)],
    ['HTTPS port', String(cluster.httpsPort)],
    ['NodePort', String(cluster.nodePort)],
    ['Register Portainer', yesNo(cluster.registerPortainer)],
    ['HAProxy route', yesNo(cluster.haproxyRoute)],
    ['Created', cluster.createdAt],
    ['Updated', cluster.updatedAt],
  ];
}
