import type { Queryable } from '../db/database.js';
import type { ClusterRow } from './cluster-rows.js';
import { CLUSTER_COLUMNS, toClusterRecord } from './cluster-rows.js';
import type { ClusterRecord } from './types.js';

export async function listClusters(db: Queryable): Promise<ClusterRecord[]> {
  const result = await db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters ORDER BY name`);
  return result.rows.map(toClusterRecord);
}

export async function getCluster(db: Queryable, name: string): Promise<ClusterRecord | null> {
  const result = await db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE name = $1`, [name]);
  const row = result.rows[0];
  return row ? toClusterRecord(row) : null;
}

export async function deleteCluster(db: Queryable, name: string): Promise<ClusterRecord | null> {
  const result = await db.query<ClusterRow>(
    `DELETE FROM clusters WHERE name = $1 RETURNING ${CLUSTER_COLUMNS}`, [name]);
  const row = result.rows[0];
  return row ? toClusterRecord(row) : null;
}

export interface PortHolder {
  port: number;
  clusterName: string;
  purpose: string;
}

export async function findPortHolders(db: Queryable, ports: readonly number[]): Promise<PortHolder[]> {
  if (ports.length === 0) return [];
  const result = await db.query<{ port: number; cluster_name: string; purpose: string }>(
    'SELECT port, cluster_name, purpose FROM cluster_host_ports WHERE port = ANY($1::int[]) ORDER BY port', [ports]);
  return result.rows.map((row) => ({ port: row.port, clusterName: row.cluster_name, purpose: row.purpose }));
}

export async function findOverlappingSubnet(db: Queryable, subnet: string): Promise<{ name: string; subnet: string } | null> {
  const result = await db.query<{ name: string; subnet: string }>(
    "SELECT name, subnet::text AS subnet FROM clusters WHERE provider = 'k3d' AND subnet && $1::cidr LIMIT 1", [subnet]);
  return result.rows[0] ?? null;
}
