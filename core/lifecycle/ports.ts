/**
 * The outside systems an environment spans, as the lifecycle and drift code need them. A `Fleet` from the
 * composition root satisfies this shape (add `kubeServerFor` from its `kube()` when it has one).
 */
import type { GitRemote } from '../gitops/types.js';
import type { ClusterRecord, Provider } from '../inventory/types.js';
import type { ClusterProvider, LiveCluster } from '../providers/types.js';
import type { Registrar, RegistrarKind } from '../registrars/types.js';

export interface FleetPorts {
  providers: Record<Provider, ClusterProvider>;
  git: GitRemote;
  registrars: Record<RegistrarKind, Registrar>;
  /** The API server URL ArgoCD should reach the cluster at; default: the provider's reported server URL. */
  /** undefined falls back to the default. */
  kubeServerFor?(cluster: ClusterRecord): Promise<string | undefined>;
}

/** Fleet ports are built lazily (reading kubeconfigs, opening Git caches): every user gets them through this. */
export type FleetPortsSource = () => Promise<FleetPorts>;

export const REGISTRAR_KINDS: readonly RegistrarKind[] = ['portainer', 'argocd', 'haproxy'];

export async function findLive(ports: FleetPorts, cluster: Pick<ClusterRecord, 'name' | 'provider'>): Promise<LiveCluster | null> {
  return (await ports.providers[cluster.provider].list()).find((c) => c.name === cluster.name) ?? null;
}

/**
 * Where ArgoCD reaches the cluster: the injected resolver, else the provider's server URL, else the server of the
 * provider's kubeconfig (when the list does not say, e.g. a stopped cluster). Only the URL is read from the
 * kubeconfig; its credentials stay put.
 */
export async function apiServerFor(ports: FleetPorts, cluster: ClusterRecord): Promise<string | undefined> {
  const given = await ports.kubeServerFor?.(cluster);
  if (given) return given;
  const live = await findLive(ports, cluster);
  if (live?.serverUrl) return live.serverUrl;
  if (!live) return undefined;
  // Imported here: the YAML parser costs 30-50 ms to load, which every command would pay through the engine.
  const { parse } = await import('yaml');
  const config = parse(await ports.providers[cluster.provider].kubeconfig(cluster.name)) as { clusters?: { cluster?: { server?: unknown } }[] } | null;
  const server = config?.clusters?.[0]?.cluster?.server;
  return typeof server === 'string' ? server : undefined;
}
