import type { Queryable } from '../db/database.js';
import type { ClusterRow } from './cluster-rows.js';
import { CLUSTER_COLUMNS, toClusterRecord } from './cluster-rows.js';
import type { ClusterRecord, ClusterSpec } from './types.js';

/** Where host ports and k3d subnets are allocated from; configurable. */
export interface AllocationRanges {
  portMin: number;
  portMax: number;
  subnetPool: string;
  subnetPrefix: number;
}

export const DEFAULT_RANGES: AllocationRanges = {
  portMin: 20000,
  portMax: 59999,
  subnetPool: '10.64.0.0/10',
  subnetPrefix: 24,
};

/**
 * Inserts a cluster, allocating whatever the spec leaves out, in one statement: `fleet_add_cluster`
 * takes a transaction-scoped advisory lock, so concurrent allocators never pick the same port or subnet.
 */
export async function insertCluster(db: Queryable, spec: ClusterSpec, ranges: AllocationRanges): Promise<ClusterRecord> {
  const result = await db.query<ClusterRow>(
    `SELECT ${CLUSTER_COLUMNS} FROM fleet_add_cluster($1, $2, $3::cidr, $4, $5, $6, $7, $8, $9, $10, $11, $12::cidr, $13)`,
    [spec.name, spec.provider, spec.subnet ?? null, spec.nodePort ?? null, spec.pfPort ?? null, spec.httpPort ?? null,
      spec.httpsPort ?? null, spec.registerPortainer ?? null, spec.haproxyRoute ?? null,
      ranges.portMin, ranges.portMax, ranges.subnetPool, ranges.subnetPrefix],
  );
  return toClusterRecord(result.rows[0]!);
}
