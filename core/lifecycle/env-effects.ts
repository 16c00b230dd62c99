/**
 * The effects an environment's steps have on each outside system, each idempotent (check, then act), shared by
 * `env.create`, `env.delete` and the drift repairs.
 */
import type { Queryable } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import { getCluster } from '../inventory/queries.js';
import type { ClusterRecord } from '../inventory/types.js';
import type { EnsureAction, RegistrarKind } from '../registrars/types.js';
import { apiServerFor, findLive, type FleetPorts } from './ports.js';

export async function requireRow(db: Queryable, name: string): Promise<ClusterRecord> {
  const row = await getCluster(db, name);
  if (!row) throw new NotFoundError('cluster', name, 'The inventory row is gone; list the inventory with `fleetdeck clusters ls`.');
  return row;
}

/** Creates the cluster unless its provider already lists it. */
export async function ensureClusterRunning(ports: FleetPorts, row: ClusterRecord): Promise<{ created: boolean }> {
  if (await findLive(ports, row)) return { created: false };
  await ports.providers[row.provider].create(row);
  return { created: true };
}

/** Registers the cluster with one system as its row wants (the registrar honours register_portainer / haproxy_route). */
export async function ensureRegistered(ports: FleetPorts, kind: RegistrarKind, row: ClusterRecord): Promise<{ action: EnsureAction }> {
  const registrar = ports.registrars[kind];
  if (kind !== 'argocd') return { action: (await registrar.ensure(row)).action };
  const server = await apiServerFor(ports, row);
  return { action: (await registrar.ensure(row, server === undefined ? {} : { server })).action };
}

export async function unregister(ports: FleetPorts, kind: RegistrarKind, name: string): Promise<{ removed: boolean }> {
  return ports.registrars[kind].remove(name);
}
