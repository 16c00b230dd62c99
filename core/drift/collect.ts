/**
 * The collectors: each system is read in ONE call (one inventory query, one `git ls-remote`, one list per provider,
 * one list per registrar), all at once. A collector that fails marks its source "could not check"; the others go on.
 * The only per-cluster calls are the optional API probes, for clusters that are running.
 */
import type { Queryable } from '../db/database.js';
import { asFleetError } from '../errors.js';
import type { ClusterRecord, Provider } from '../inventory/types.js';
import { PROVIDERS } from '../inventory/types.js';
import type { FleetPorts } from '../lifecycle/ports.js';
import type { LiveCluster } from '../providers/types.js';
import type { Registration, RegistrarKind } from '../registrars/types.js';
import { readInventory } from './inventory-read.js';
import { eachLimited, probeServer } from './probe.js';
import type { BranchHead, FleetSnapshot, Observed } from './types.js';

export interface CollectOptions {
  /** Probe the API server of each running cluster (default true). */
  probeApi?: boolean;
  probeTimeoutMs?: number;
  probeConcurrency?: number;
  now?: () => Date;
}

async function observe<T>(read: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    const failure = asFleetError(error);
    return { ok: false, error: failure.message, hint: failure.hint };
  }
}

export async function collectSnapshot(db: Queryable, ports: FleetPorts, opts: CollectOptions = {}): Promise<FleetSnapshot> {
  const takenAt = (opts.now?.() ?? new Date()).toISOString();
  const providers = PROVIDERS.map((p) => observe(() => ports.providers[p].list()));
  const kinds: RegistrarKind[] = ['portainer', 'argocd', 'haproxy'];
  const registrars = kinds.map((k) => observe(() => ports.registrars[k].list()));
  const [inventory, branches, liveLists, registrationLists] = await Promise.all([
    observe<ClusterRecord[]>(() => readInventory(db)),
    observe<BranchHead[]>(async () => [...(await ports.git.listBranches())].map(([name, sha]) => ({ name, sha }))),
    Promise.all(providers),
    Promise.all(registrars),
  ]);
  const clusters = Object.fromEntries(PROVIDERS.map((p, i) => [p, liveLists[i]!])) as Record<Provider, Observed<LiveCluster[]>>;
  const registrations = Object.fromEntries(kinds.map((k, i) => [k, registrationLists[i]!])) as Record<RegistrarKind, Observed<Registration[]>>;
  const api = await observe(() => probeApis(inventory, clusters, opts));
  return { takenAt, inventory, branches, clusters, registrations, api };
}

async function probeApis(inventory: Observed<ClusterRecord[]>, clusters: Record<Provider, Observed<LiveCluster[]>>, opts: CollectOptions)
  : Promise<{ probed: string[]; unreachable: Record<string, string> }> {
  const result = { probed: [] as string[], unreachable: {} as Record<string, string> };
  if (opts.probeApi === false || !inventory.ok) return result;
  const rows = new Set(inventory.value.map((r) => `${r.provider}/${r.name}`));
  const targets: LiveCluster[] = [];
  for (const provider of PROVIDERS) {
    const observed = clusters[provider];
    if (!observed.ok) continue;
    for (const c of observed.value) if (c.status !== 'stopped' && c.serverUrl && rows.has(`${provider}/${c.name}`)) targets.push(c);
  }
  await eachLimited(targets, opts.probeConcurrency ?? 32, async (cluster) => {
    result.probed.push(cluster.name);
    const why = await probeServer(cluster.serverUrl!, opts.probeTimeoutMs ?? 2000);
    if (why) result.unreachable[cluster.name] = why;
  });
  result.probed.sort();
  return result;
}
