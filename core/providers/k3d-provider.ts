import { createServer } from 'node:net';
import type { ClusterRecord } from '../inventory/types.js';
import { NotFoundError, FleetError } from '../errors.js';
import { k3dNetworkServerUrl, parseK3dClusterList } from './k3d-list.js';
import { runTool, type ToolOptions } from './run-tool.js';
import { contextNameFor, type ClusterProvider, type CreateClusterOptions, type LiveCluster, type StartClusterOptions } from './types.js';

export interface K3dProviderOptions extends ToolOptions {
  /**
   * The Docker network devops, HAProxy and Portainer share (seed 001: `k3d-shared`). A cluster without a subnet of
   * its own joins it; null leaves such a cluster on k3d's default network `k3d-NAME`.
   */
  network?: string | null;
  /**
   * ArgoCD in devops reaches the clusters over Docker networking (devops attached to their networks, as Kindler's
   * bootstrap arranges): register them at `https://k3d-NAME-serverlb:6443` instead of the kubeconfig's host port.
   */
  registerInNetwork?: boolean;
}

/** The API server host ports k3d clusters get: above the inventory's default range and Linux's ephemeral ports. */
export const K3D_API_PORTS = { min: 61000, max: 65535 } as const;

/** Where a name's API port search starts: the same name always starts at the same port. */
export function k3dApiPortStart(name: string): number {
  let hash = 0x811c9dc5;
  for (const ch of name) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return K3D_API_PORTS.min + (hash % (K3D_API_PORTS.max - K3D_API_PORTS.min + 1));
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/**
 * The host port for `--api-port`: the name's start port, or the next free one after it. A cluster re-created under
 * the same name therefore usually gets its old port back, and kubeconfigs pointing at it keep working.
 */
export async function k3dApiPort(name: string): Promise<number> {
  const start = k3dApiPortStart(name);
  const span = K3D_API_PORTS.max - K3D_API_PORTS.min + 1;
  for (let i = 0; i < 64; i++) {
    const port = K3D_API_PORTS.min + ((start - K3D_API_PORTS.min + i) % span);
    if (await portFree(port)) return port;
  }
  return start;
}

/**
 * The Docker network a cluster is created on. A cluster with a subnet gets its own network `k3d-NAME`, which k3d
 * creates with that subnet (k3d ignores --subnet when joining a network that exists, as the shared one does).
 */
export function k3dNetworkFor(cluster: Pick<ClusterRecord, 'name' | 'subnet'>, shared: string | null): string | null {
  return cluster.subnet ? `k3d-${cluster.name}` : shared;
}

/** k3d argv for creating a cluster from its inventory record; exported so the sandbox and docs show the same. */
export function k3dCreateArgs(cluster: ClusterRecord, shared: string | null, opts: CreateClusterOptions = {}): string[] {
  const args = ['cluster', 'create', cluster.name];
  if (opts.apiPort !== undefined) args.push('--api-port', String(opts.apiPort));
  args.push(
    '-p', `${cluster.httpPort}:80@loadbalancer`,
    '-p', `${cluster.httpsPort}:443@loadbalancer`,
    '-p', `${cluster.pfPort}:${cluster.nodePort}@loadbalancer`,
  );
  const network = k3dNetworkFor(cluster, shared);
  if (network) args.push('--network', network);
  if (cluster.subnet) args.push('--subnet', cluster.subnet);
  if (opts.image) args.push('--image', opts.image);
  args.push('--wait', '--timeout', `${opts.waitSeconds ?? 60}s`);
  return args;
}

/** k3d argv for starting an existing cluster, waiting for its servers as create does. */
export function k3dStartArgs(name: string, opts: StartClusterOptions = {}): string[] {
  return ['cluster', 'start', name, '--wait', '--timeout', `${opts.waitSeconds ?? 60}s`];
}

export class K3dProvider implements ClusterProvider {
  readonly provider = 'k3d' as const;
  private readonly network: string | null;

  constructor(private readonly opts: K3dProviderOptions = {}) {
    this.network = opts.network === undefined ? 'k3d-shared' : opts.network;
  }

  async create(cluster: ClusterRecord, opts: CreateClusterOptions = {}): Promise<void> {
    if (cluster.provider !== 'k3d') {
      throw new FleetError('VALIDATION', `cluster "${cluster.name}" is a ${cluster.provider} cluster, not k3d`, 'Create it with the provider named in its inventory row.');
    }
    const apiPort = opts.apiPort ?? (await k3dApiPort(cluster.name));
    await runTool('k3d', k3dCreateArgs(cluster, this.network, { ...opts, apiPort }), this.opts);
  }

  async start(name: string, opts: StartClusterOptions = {}): Promise<void> {
    try {
      await runTool('k3d', k3dStartArgs(name, opts), this.opts);
    } catch (error) {
      await this.notFoundIfMissing(error, name);
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    await runTool('k3d', ['cluster', 'delete', name], this.opts);
  }

  async list(): Promise<LiveCluster[]> {
    const { stdout } = await runTool('k3d', ['cluster', 'list', '-o', 'json'], this.opts);
    return parseK3dClusterList(stdout);
  }

  async kubeconfig(name: string): Promise<string> {
    try {
      const { stdout } = await runTool('k3d', ['kubeconfig', 'get', name], this.opts);
      return stdout;
    } catch (error) {
      await this.notFoundIfMissing(error, name);
      throw error;
    }
  }

  /** A failed k3d call about a cluster k3d does not list becomes a NotFoundError; other failures stay as they are. */
  private async notFoundIfMissing(error: unknown, name: string): Promise<void> {
    if (error instanceof FleetError && error.code === 'EXTERNAL' && !(await this.list()).some((c) => c.name === name)) {
      throw new NotFoundError('k3d cluster', name, 'List the k3d clusters with `k3d cluster list`, or create it first.');
    }
  }

  contextName(name: string): string {
    return contextNameFor('k3d', name);
  }

  networkServerUrl(name: string): string | undefined {
    return this.opts.registerInNetwork === true ? k3dNetworkServerUrl(name) : undefined;
  }
}
