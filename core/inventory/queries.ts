import type { DatabaseKind, Queryable } from '../db/database.js';
import type { ClusterRow } from './cluster-rows.js';
import { CLUSTER_COLUMNS, isoText, toClusterRecord } from './cluster-rows.js';
import type { ClusterRecord, Provider } from './types.js';

/**
 * The whole inventory, ordered by name. PGlite decodes each value of a result in JavaScript, so for the
 * embedded database (and a process forwarding to its owner) the database returns one text value, a line per
 * cluster: at 10,000 clusters one value to decode instead of 110,000, and one string to forward. The lines are
 * space-separated fields rather than JSON because PostgreSQL compiled to WASM builds JSON slowly: measured
 * here, 60 ms for these lines against 180 ms for the same rows as json_agg(json_build_object(...)), and
 * splitting them costs a few ms. The table's constraints keep spaces and newlines out of every field (names are
 * DNS labels, providers known words, subnets cidr, timestamps ISO-8601); '-' stands for no subnet.
 * A PostgreSQL server builds either slower (0.2-0.3 s) than `pg` decodes the plain rows (0.1-0.15 s), so
 * there the plain rows are read.
 */
export async function listClusters(db: Queryable & { readonly kind?: DatabaseKind }): Promise<ClusterRecord[]> {
  if (db.kind === 'postgres') {
    const result = await db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters ORDER BY name`);
    return result.rows.map(toClusterRecord);
  }
  const result = await db.query<{ clusters: string | null }>(`SELECT string_agg(concat_ws(' ', name, provider,
      coalesce(subnet::text, '-'), node_port, pf_port, http_port, https_port, register_portainer, haproxy_route,
      ${isoText('created_at')}, ${isoText('updated_at')}), E'\\n' ORDER BY name) AS clusters FROM clusters`);
  const text = result.rows[0]?.clusters;
  return text ? text.split('\n').map(fromListLine) : [];
}

function fromListLine(line: string): ClusterRecord {
  const [name, provider, subnet, nodePort, pfPort, httpPort, httpsPort, registerPortainer, haproxyRoute, createdAt, updatedAt]
    = line.split(' ') as [string, Provider, string, string, string, string, string, string, string, string, string];
  return {
    name, provider, subnet: subnet === '-' ? null : subnet,
    nodePort: Number(nodePort), pfPort: Number(pfPort), httpPort: Number(httpPort), httpsPort: Number(httpsPort),
    registerPortainer: registerPortainer === 't', haproxyRoute: haproxyRoute === 't', createdAt, updatedAt,
  };
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
