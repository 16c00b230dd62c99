/**
 * The sandbox adapter of the ClusterProvider port: "creating" a cluster starts a sandbox Kubernetes API server.
 * The server itself lives in src/sandbox/; core only knows this injected backend interface.
 */
import { stringify } from 'yaml';
import type { ClusterRecord, Provider } from '../inventory/types.js';
import { FleetError, NotFoundError } from '../errors.js';
import { contextNameFor, type ClusterProvider, type CreateClusterOptions, type LiveCluster, type StartClusterOptions } from './types.js';

export interface SandboxClusterState {
  name: string;
  /** Which provider the sandbox cluster pretends to be (k3d or kind). */
  provider: Provider;
  url: string;
  running: boolean;
  /** Bearer token the sandbox API server accepts, if it checks one. */
  token?: string;
  record?: ClusterRecord;
}

export interface SandboxClusterBackend {
  /** Creates the cluster (a new API server) unless it exists; resolves once it answers. */
  start(name: string, record: ClusterRecord): Promise<{ url: string }>;
  /** Starts an existing, stopped cluster again with the objects it held; false when there is no such cluster. */
  resume(name: string): Promise<boolean>;
  /** Removes the cluster (deleting it). */
  stop(name: string): Promise<void>;
  list(): Promise<SandboxClusterState[]>;
}

export class SandboxProvider implements ClusterProvider {
  constructor(
    private readonly backend: SandboxClusterBackend,
    readonly provider: Provider,
  ) {}

  async create(cluster: ClusterRecord, _opts: CreateClusterOptions = {}): Promise<void> {
    if (cluster.provider !== this.provider) {
      throw new FleetError('VALIDATION', `cluster "${cluster.name}" is a ${cluster.provider} cluster, not ${this.provider}`, 'Create it with the provider named in its inventory row.');
    }
    await this.backend.start(cluster.name, cluster);
  }

  async start(name: string, _opts: StartClusterOptions = {}): Promise<void> {
    const known = (await this.backend.list()).some((c) => c.name === name && c.provider === this.provider);
    if (!known || !(await this.backend.resume(name))) {
      throw new NotFoundError(`sandbox ${this.provider} cluster`, name, 'Create it first, or run `fleetdeck sandbox reset`.');
    }
  }

  async delete(name: string): Promise<void> {
    const known = (await this.backend.list()).some((c) => c.name === name && c.provider === this.provider);
    if (known) await this.backend.stop(name);
  }

  async list(): Promise<LiveCluster[]> {
    const states = await this.backend.list();
    return states
      .filter((s) => s.provider === this.provider)
      .map((s) => ({
        name: s.name,
        provider: s.provider,
        status: s.running ? 'running' : 'stopped',
        serverUrl: s.url,
        ports: s.record
          ? [
              { hostPort: s.record.httpPort, containerPort: 80, protocol: 'tcp', hostIp: null },
              { hostPort: s.record.httpsPort, containerPort: 443, protocol: 'tcp', hostIp: null },
              { hostPort: s.record.pfPort, containerPort: s.record.nodePort, protocol: 'tcp', hostIp: null },
            ]
          : [],
        subnet: s.record?.subnet ?? null,
        network: null,
      }));
  }

  async kubeconfig(name: string): Promise<string> {
    const state = (await this.backend.list()).find((c) => c.name === name && c.provider === this.provider);
    if (!state) throw new NotFoundError(`sandbox ${this.provider} cluster`, name, 'Create it first, or run `fleetdeck sandbox reset`.');
    return sandboxKubeconfig(this.contextName(name), state.url, state.token);
  }

  contextName(name: string): string {
    return contextNameFor(this.provider, name);
  }
}

/** A one-context kubeconfig for a sandbox API server (plain HTTP on loopback). */
export function sandboxKubeconfig(context: string, server: string, token?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: context, cluster: { server } }],
    users: [{ name: context, user: token ? { token } : {} }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    'current-context': context,
    preferences: {},
  });
}
