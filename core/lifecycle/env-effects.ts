/**
 * The effects an environment's steps have on each outside system, each idempotent (check, then act), shared by
 * `env.create`, `env.delete` and the drift repairs.
 */
import type { Queryable } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import { getCluster } from '../inventory/queries.js';
import type { ClusterRecord } from '../inventory/types.js';
import { accessFromKubeconfig } from '../registrars/kubeconfig-credentials.js';
import type { EnsureAction, RegistrarKind, RegistrationContext } from '../registrars/types.js';
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
  return { action: (await registrar.ensure(row, await argoCdAccessFor(ports, row))).action };
}

/**
 * Where and how ArgoCD (in devops) reaches the cluster: the URL its containers reach when the provider knows one,
 * else the resolver's or the provider's; the credentials of the cluster's context in the kubeconfig the provider
 * reports. They go into the cluster Secret only, never into a step's output.
 */
export async function argoCdAccessFor(ports: FleetPorts, row: ClusterRecord): Promise<RegistrationContext> {
  const provider = ports.providers[row.provider];
  const live = await findLive(ports, row);
  if (!live) {
    const server = await apiServerFor(ports, row);
    return server === undefined ? {} : { server };
  }
  const access = accessFromKubeconfig(await provider.kubeconfig(row.name), provider.contextName(row.name));
  const server = provider.networkServerUrl?.(row.name) ?? (await ports.kubeServerFor?.(row)) ?? live.serverUrl ?? access.server;
  return server === undefined ? {} : { server, credentials: access.credentials };
}

export async function unregister(ports: FleetPorts, kind: RegistrarKind, name: string): Promise<{ removed: boolean }> {
  return ports.registrars[kind].remove(name);
}
