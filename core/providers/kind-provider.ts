import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterRecord } from '../inventory/types.js';
import { FleetError, NotFoundError } from '../errors.js';
import { renderKindConfig } from './kind-config.js';
import { KIND_NODES_ARGS, kindClusterNodesArgs, kindNetworkServerUrl, kindNodeContainers, parseKindClusterNames, parseKindNodes } from './kind-list.js';
import { runTool, type ToolOptions, type ToolResult } from './run-tool.js';
import { contextNameFor, type ClusterProvider, type CreateClusterOptions, type LiveCluster, type StartClusterOptions } from './types.js';

export interface KindProviderOptions extends ToolOptions {
  /** The Docker CLI kind's nodes run under (`docker`, or `podman` with its Docker-compatible CLI); default `docker`. */
  dockerBinary?: string;
  /**
   * ArgoCD in devops reaches the clusters over Docker networking (devops attached to the `kind` network): register
   * them at `https://NAME-control-plane:6443` instead of the kubeconfig's host port.
   */
  registerInNetwork?: boolean;
}

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

  /**
   * kind has no start command: its cluster is its node containers, so this starts them with one `docker start`
   * (`NAME-control-plane` first, then any load balancer and workers), as `docker ps` lists them right now.
   */
  async start(name: string, _opts: StartClusterOptions = {}): Promise<void> {
    const nodes = kindNodeContainers((await this.docker(kindClusterNodesArgs(name), 'listed')).stdout, name);
    if (nodes.length === 0) {
      throw new NotFoundError('kind cluster', name, 'List the kind clusters with `kind get clusters`, or create it first.');
    }
    await this.docker(['start', ...nodes], 'started');
  }

  async delete(name: string): Promise<void> {
    await runTool('kind', ['delete', 'cluster', '--name', name], this.opts);
  }

  /**
   * Every kind cluster with its state, published ports and API server URL, from one `docker ps` over the node
   * containers (`kind get clusters` lists the same containers, but by name only). Where there is no Docker CLI
   * (kind running its nodes under podman or nerdctl), kind's own plain list of names is used instead.
   */
  async list(): Promise<LiveCluster[]> {
    try {
      return parseKindNodes((await this.docker(KIND_NODES_ARGS, 'listed')).stdout);
    } catch (error) {
      if (!(error instanceof FleetError && error.code === 'UNAVAILABLE')) throw error;
      return this.namesFromKind(error);
    }
  }

  private async namesFromKind(dockerMissing: FleetError): Promise<LiveCluster[]> {
    try {
      return parseKindClusterNames((await runTool('kind', ['get', 'clusters'], this.opts)).stdout);
    } catch (error) {
      throw error instanceof FleetError && error.code === 'UNAVAILABLE' ? dockerMissing : error;
    }
  }

  /** Runs the Docker CLI kind's nodes live under; a missing one says kind needs it. */
  private async docker(args: readonly string[], verb: string): Promise<ToolResult> {
    try {
      return await runTool('docker', args, { ...this.opts, binary: this.opts.dockerBinary ?? 'docker' });
    } catch (error) {
      if (error instanceof FleetError && error.code === 'UNAVAILABLE') {
        throw new FleetError('UNAVAILABLE', `${error.message}; kind runs its nodes as Docker containers, so they cannot be ${verb}`,
          'Install Docker (or set the kind provider\'s Docker CLI) and make sure it is on PATH, or run fleetdeck with --sandbox.', error.details);
      }
      throw error;
    }
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

  networkServerUrl(name: string): string | undefined {
    return this.opts.registerInNetwork === true ? kindNetworkServerUrl(name) : undefined;
  }
}
