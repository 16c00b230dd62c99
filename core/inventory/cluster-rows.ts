import type { ClusterRecord, Provider } from './types.js';

/** The row shape of `clusters` as both adapters return it (timestamps as Date or ISO text). */
export interface ClusterRow {
  name: string;
  provider: string;
  subnet: string | null;
  node_port: number;
  pf_port: number;
  http_port: number;
  https_port: number;
  register_portainer: boolean;
  haproxy_route: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

export const CLUSTER_COLUMNS =
  'name, provider, subnet::text AS subnet, node_port, pf_port, http_port, https_port, register_portainer, haproxy_route, created_at, updated_at';

export function toClusterRecord(row: ClusterRow): ClusterRecord {
  return {
    name: row.name,
    provider: row.provider as Provider,
    subnet: row.subnet,
    nodePort: row.node_port,
    pfPort: row.pf_port,
    httpPort: row.http_port,
    httpsPort: row.https_port,
    registerPortainer: row.register_portainer,
    haproxyRoute: row.haproxy_route,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
