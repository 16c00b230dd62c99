import type { ClusterRecord } from '../inventory/types.js';
import { NotFoundError, FleetError } from '../errors.js';
import { parseK3dClusterList } from './k3d-list.js';
import { runTool, type ToolOptions } from './run-tool.js';
import { contextNameFor, type ClusterProvider, type CreateClusterOptions, type LiveCluster } from './types.js';

export interface K3dProviderOptions extends ToolOptions {
  /** Docker network every k3d cluster joins (seed 001: `k3d-shared`); null to let k3d create one per cluster. */
  network?: string | null;
}

/** k3d argv for creating a cluster from its inventory record; exported so the sandbox and docs show the same. */
export function k3dCreateArgs(cluster: ClusterRecord, network: string | null, opts: CreateClusterOptions = {}): string[] {
  const args = ['cluster', 'create', cluster.name];
  if (opts.apiPort !== undefined) args.push('--api-port', String(opts.apiPort));
  args.push(
    '-p', `${cluster.httpPort}:80@loadbalancer`,
    '-p', `${cluster.httpsPort}:443@loadbalancer`,
    '-p', `${cluster.pfPort}:${cluster.nodePort}@loadbalancer`,
  );
  if (cluster.subnet) args.push('--subnet', cluster.subnet);
  if (network) args.push('--network', network);
  if (opts.image) args.push('--image', opts.image);
  args.push('--wait', '--timeout', `${opts.waitSeconds ?? 60}s`);
  return args;
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
    await runTool('k3d', k3dCreateArgs(cluster, this.network, opts), this.opts);
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
      if (error instanceof FleetError && error.code === 'EXTERNAL' && !(await this.list()).some((c) => c.name === name)) {
        throw new NotFoundError('k3d cluster', name, 'List the k3d clusters with `k3d cluster list`, or create it first.');
      }
      throw error;
    }
  }

  contextName(name: string): string {
    return contextNameFor('k3d', name);
  }
}
