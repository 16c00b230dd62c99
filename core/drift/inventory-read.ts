/**
 * The inventory as drift reads it: one query, timestamps sent as text in ISO form by the server so 10,000 rows
 * cost no Date parsing on this side.
 */
import type { Queryable } from '../db/database.js';
import type { ClusterRecord, Provider } from '../inventory/types.js';

interface Row {
  name: string; provider: string; subnet: string | null; node_port: number; pf_port: number; http_port: number; https_port: number;
  register_portainer: boolean; haproxy_route: boolean; created_at: string; updated_at: string;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

export async function readInventory(db: Queryable): Promise<ClusterRecord[]> {
  const result = await db.query<Row>(
    `SELECT name, provider, subnet::text AS subnet, node_port, pf_port, http_port, https_port, register_portainer, haproxy_route,
            to_char(created_at AT TIME ZONE 'UTC', ${ISO}) AS created_at, to_char(updated_at AT TIME ZONE 'UTC', ${ISO}) AS updated_at
       FROM clusters ORDER BY name`);
  return result.rows.map((r) => ({
    name: r.name, provider: r.provider as Provider, subnet: r.subnet, nodePort: r.node_port, pfPort: r.pf_port, httpPort: r.http_port,
    httpsPort: r.https_port, registerPortainer: r.register_portainer, haproxyRoute: r.haproxy_route, createdAt: r.created_at, updatedAt: r.updated_at,
  }));
}
