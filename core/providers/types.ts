/**
 * The ClusterProvider port: how fleetdeck creates, deletes and observes the Kubernetes clusters of one provider
 * (k3d or kind). Real adapters drive the CLIs; the sandbox adapter starts sandbox API servers.
 */
import type { ClusterRecord, Provider } from '../inventory/types.js';

/** One host port published by a cluster, e.g. host 18080 → container 80. */
export interface HostPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string | null;
}

/**
 * `running`: every server node runs. `stopped`: none does. `degraded`: some do.
 * `unknown`: the tool does not say (kind only lists names).
 */
export type LiveStatus = 'running' | 'stopped' | 'degraded' | 'unknown';

/** A cluster as the provider's tool reports it right now. */
export interface LiveCluster {
  name: string;
  provider: Provider;
  status: LiveStatus;
  /** https://127.0.0.1:6550 when the tool reports the API port; null otherwise. */
  serverUrl: string | null;
  /**
   * The API server URL as containers on the fleet's Docker networks reach it (`https://k3d-NAME-serverlb:6443`,
   * `https://NAME-control-plane:6443`); absent where the provider has no such network (the sandbox).
   */
  networkServerUrl?: string;
  ports: HostPortMapping[];
  subnet: string | null;
  network: string | null;
}

export interface CreateClusterOptions {
  /** Host port for the Kubernetes API (k3d `--api-port`, kind `networking.apiServerPort`). Random when left out. */
  apiPort?: number;
  /** Node image (k3d `--image`, kind `--image`). */
  image?: string;
  /** Seconds to wait for the control plane; default 60. */
  waitSeconds?: number;
}

export interface StartClusterOptions {
  /** Seconds the tool may wait for the servers to come up (k3d `--wait --timeout`); default 60. */
  waitSeconds?: number;
}

export interface ClusterProvider {
  readonly provider: Provider;
  create(cluster: ClusterRecord, opts?: CreateClusterOptions): Promise<void>;
  /**
   * Starts the existing cluster's stopped nodes (k3d `cluster start`, `docker start` of kind's node containers),
   * keeping everything they hold. Starting a running cluster succeeds and changes nothing; a cluster the provider
   * does not have is a NotFoundError. The API server may still be coming up when it returns.
   */
  start(name: string, opts?: StartClusterOptions): Promise<void>;
  /** Idempotent: deleting a cluster that does not exist succeeds. */
  delete(name: string): Promise<void>;
  /** Every cluster of this provider, in one call to the tool. */
  list(): Promise<LiveCluster[]>;
  /** The cluster's kubeconfig (YAML). It holds credentials: never log or print it. */
  kubeconfig(name: string): Promise<string>;
  /** The kube context name the tool gives the cluster: `k3d-NAME`, `kind-NAME`. */
  contextName(name: string): string;
  /**
   * The API server URL as containers on the fleet's Docker networks reach it (where ArgoCD runs, in devops), when
   * the provider knows one; otherwise ArgoCD is given the kubeconfig's URL.
   */
  networkServerUrl?(name: string): string | undefined;
}

/** One adapter per provider, as the composition root wires them. */
export type ClusterProviders = Record<Provider, ClusterProvider>;

export function contextNameFor(provider: Provider, name: string): string {
  return `${provider}-${name}`;
}
