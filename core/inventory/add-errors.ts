import type { Queryable } from '../db/database.js';
import { SqlState, isPgError } from '../db/database.js';
import { ConflictError, FleetError } from '../errors.js';
import { findOverlappingSubnet, findPortHolders } from './queries.js';
import type { ClusterSpec } from './types.js';

/** Turns a constraint violation from inserting `spec` into an error that names what collided. */
export async function explainAddFailure(db: Queryable, spec: ClusterSpec, error: unknown): Promise<unknown> {
  if (!isPgError(error)) return error;
  switch (error.code) {
    case SqlState.uniqueViolation:
      if (error.constraint === 'clusters_pkey') {
        return new ConflictError(`cluster "${spec.name}" already exists`,
          `See it with \`fleetdeck clusters show ${spec.name}\`, or choose another name.`, { name: spec.name });
      }
      if (error.constraint === 'cluster_host_ports_pkey') {
        const wanted = [spec.pfPort, spec.httpPort, spec.httpsPort].filter((p): p is number => p !== undefined);
        const holders = await findPortHolders(db, wanted);
        const holder = holders[0];
        const message = holder
          ? `host port ${holder.port} is already used by cluster "${holder.clusterName}" (its ${holder.purpose} port)`
          : 'a host port of this cluster is already used by another cluster';
        return new ConflictError(message, 'Leave the port out to have a free one allocated, or pick another.',
          holder ? { port: holder.port, usedBy: holder.clusterName } : {});
      }
      return error;
    case SqlState.exclusionViolation: {
      const other = spec.subnet ? await findOverlappingSubnet(db, spec.subnet) : null;
      return new ConflictError(
        other ? `subnet ${spec.subnet ?? ''} overlaps ${other.subnet} of k3d cluster "${other.name}"`
          : `subnet ${spec.subnet ?? ''} overlaps another k3d cluster's subnet`,
        'Leave --subnet out to have a free subnet allocated, or pick one that overlaps no other k3d cluster.',
        other ? { subnet: spec.subnet, overlaps: other.name } : {});
    }
    case SqlState.hostPortsExhausted:
      return new FleetError('EXHAUSTED', 'no free host port is left in the configured range',
        'Widen ports.min/ports.max in the configuration, or remove clusters you no longer need.');
    case SqlState.subnetsExhausted:
      return new FleetError('EXHAUSTED', 'no free k3d subnet is left in the configured pool',
        'Widen subnets.pool in the configuration, or remove k3d clusters you no longer need.');
    default:
      return error;
  }
}
