import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterRecord } from '../inventory/types.js';
import { FleetError, NotFoundError } from '../errors.js';
import { renderKindConfig } from './kind-config.js';
import { runTool, type ToolOptions } from './run-tool.js';
import { contextNameFor, type ClusterProvider, type CreateClusterOptions, type LiveCluster } from './types.js';

export type KindProviderOptions = ToolOptions;

export class KindProvider implements ClusterProvider {
  readonly provider = 'kind' as const;

  constructor(private readonly opts: KindProviderOptions = {}) {}

  async create(cluster: ClusterRecord, opts: CreateClusterOptions = {}): Promise<void> {
    if (cluster.provider !== 'kind') {
      throw new FleetError('VALIDATION', `cluster "${cluster.name}" is a ${cluster.provider} cluster, not kind`, 'Create it with the provider named in its inventory row.');
    }
    const dir = await mkdtemp(join(tmpdir(), 'fleetdeck-kind-'));
    try {
      const configPath = join(dir, `${cluster.name}.yaml`);
      await writeFile(configPath, renderKindConfig(cluster, opts));
      const args = ['create', 'cluster', '--name', cluster.name, '--config', configPath];
      if (opts.image) args.push('--image', opts.image);
      args.push('--wait', `${opts.waitSeconds ?? 60}s`);
      await runTool('kind', args, this.opts);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async delete(name: string): Promise<void> {
    await runTool('kind', ['delete', 'cluster', '--name', name], this.opts);
  }

  /** `kind get clusters` prints one name a line (and "No kind clusters found." on stderr when empty). */
  async list(): Promise<LiveCluster[]> {
    const { stdout } = await runTool('kind', ['get', 'clusters'], this.opts);
    return stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('No kind clusters found'))
      .map((name) => ({ name, provider: 'kind' as const, status: 'unknown' as const, serverUrl: null, ports: [], subnet: null, network: null }));
  }

  async kubeconfig(name: string): Promise<string> {
    try {
      const { stdout } = await runTool('kind', ['get', 'kubeconfig', '--name', name], this.opts);
      return stdout;
    } catch (error) {
      if (error instanceof FleetError && error.code === 'EXTERNAL' && !(await this.list()).some((c) => c.name === name)) {
        throw new NotFoundError('kind cluster', name, 'List the kind clusters with `kind get clusters`, or create it first.');
      }
      throw error;
    }
  }

  contextName(name: string): string {
    return contextNameFor('kind', name);
  }
}
