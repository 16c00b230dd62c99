import type { DatabaseKind, Queryable } from '../db/database.js';
import type { ClusterRow } from './cluster-rows.js';
import { CLUSTER_COLUMNS, isoText, toClusterRecord } from './cluster-rows.js';
import type { ClusterRecord } from './types.js';

/**
 * The whole inventory, ordered by name. PGlite decodes each value of a result in JavaScript, so for the
 * embedded database (and a process forwarding to its owner) the database builds one JSON document already
 * in ClusterRecord's shape: at 10,000 clusters, one value to decode instead of 110,000 (0.35 s against
 * 0.65-1.1 s measured) and one string to forward. A PostgreSQL server builds that JSON slower (0.2-0.3 s)
 * than `pg` decodes the rows (0.1-0.15 s), so there the plain rows are read.
 */
export async function listClusters(db: Queryable & { readonly kind?: DatabaseKind }): Promise<ClusterRecord[]> {
  if (db.kind === 'postgres') {
    const result = await db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters ORDER BY name`);
    return result.rows.map(toClusterRecord);
  }
  const result = await db.query<{ clusters: string }>(`SELECT coalesce(json_agg(json_build_object(
      'name', name, 'provider', provider, 'subnet', subnet::text, 'nodePort', node_port, 'pfPort', pf_port,
      'httpPort', http_port, 'httpsPort', https_port, 'registerPortainer', register_portainer, 'haproxyRoute', haproxy_route,
      'createdAt', ${isoText('created_at')}, 'updatedAt', ${isoText('updated_at')}) ORDER BY name), '[]')::text AS clusters
    FROM clusters`);
  return JSON.parse(result.rows[0]?.clusters ?? '[]') as ClusterRecord[];
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
