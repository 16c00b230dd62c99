import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { statSync } from 'node:fs';
import { startSandboxCluster } from '../kube-api/cluster.js';
import { removeState } from '../kube-api/persistence.js';
import type { SandboxCluster } from '../kube-api/cluster.js';
import type { KubeObject } from '../kube-api/json.js';
import type { SandboxAppAgents } from '../apps/app-agents.js';
import { isInstallerJob } from '../helm/installer-job.js';
import type { InstallerPods } from '../helm/installer-pods.js';
import type { AppsControllerSingleton } from '../../../core/apps/index.js';
import { startClusternetStatus } from '../dr/clusternet-status.js';
import type { ClusternetSimulator } from '../dr/clusternet-status.js';
import { startDrHooksServer } from '../dr/hooks-server.js';
import type { HooksServer } from '../dr/hooks-server.js';
import { startPortainerServer } from '../portainer-server.js';
import type { PortainerServer } from '../portainer-server.js';
import { answerHostRequest, hostAddress } from './host-channel.js';
import { repointUrls } from './repoint-urls.js';
import type { PortMove, WorldCluster, WorldFile, WorldLayout } from './world-file.js';
import { MANAGEMENT_CLUSTER, readWorld, serverUrlOf, updateWorld, withPortsMoved, worldClusters } from './world-file.js';

function addressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}

/** The node a sandbox cluster reports, named as its provider names its control-plane container. */
export function nodeNameOf(cluster: Pick<WorldCluster, 'name' | 'provider'>): string {
  return cluster.provider === 'k3d' ? `k3d-${cluster.name}-server-0` : `${cluster.name}-control-plane`;
}

export interface SandboxHostOptions {
  /** Told, in one line, when recorded ports were busy and clusters moved. */
  onNotice?: (line: string) => void;
}

/**
 * The one process that serves a sandbox world's API servers. Hosting is claimed by binding a Linux abstract
 * socket, which the kernel frees when the host dies; the next process to look takes over on the same ports.
 * The host follows world.json (polled, and on request through that socket), so clusters created, deleted or
 * replaced by other processes start, stop or restart here: a cluster runs on the port world.json records, as the
 * incarnation it records (a replaced cluster starts empty).
 */
export class SandboxHost {
  private lock: Server | null = null;
  private readonly running = new Map<string, SandboxCluster>();
  /** The world.json `id` of each running cluster: another id under the same name is a new cluster. */
  private readonly incarnations = new Map<string, string | null>();
  /** Clusternet's status for Localizations and Subscriptions, per running cluster (src/sandbox/dr). */
  private readonly clusternet = new Map<string, ClusternetSimulator>();
  private portainer: PortainerServer | null = null;
  private drHooks: HooksServer | null = null;
  private apps: SandboxAppAgents | null = null;
  private appsController: AppsControllerSingleton | null = null;
  /** Each running cluster's node for installer pods, by cluster name; null when it could not start. */
  private readonly nodes = new Map<string, Promise<InstallerPods | null>>();
  /** Installer pods cannot run here (the CLI is not built): the controller then ends installer Jobs itself. */
  private nodesUnavailable = false;
  private timer: NodeJS.Timeout | null = null;
  private seenMtime = 0;
  private reconciling: Promise<void> = Promise.resolve();
  private readonly moved: PortMove[] = [];

  constructor(private readonly layout: WorldLayout, private readonly options: SandboxHostOptions = {}) {}

  /** Ports this process found busy and moved away from, since the last call. */
  takeMoves(): PortMove[] {
    return this.moved.splice(0);
  }

  get isHost(): boolean {
    return this.lock !== null;
  }

  cluster(name: string): SandboxCluster | undefined {
    return this.running.get(name);
  }

  /** Becomes the host if nobody is; true when this process hosts the world now. */
  async claim(): Promise<boolean> {
    if (this.lock) return true;
    const address = hostAddress(this.layout.root);
    const server = createServer((socket) => answerHostRequest(socket, () => this.reconcile()));
    const won = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(address, () => resolve(true));
    });
    if (!won) return false;
    server.unref();
    this.lock = server;
    await this.reconcile();
    this.timer = setInterval(() => void this.reconcile({ onlyIfChanged: true }).catch(() => undefined), 250);
    this.timer.unref();
    return true;
  }

  /**
   * Starts servers for clusters in world.json, stops the ones removed from it. Calls queue up: two reconciles at
   * once would start one cluster twice (the second would find its port taken by the first).
   */
  reconcile(options: { onlyIfChanged?: boolean } = {}): Promise<void> {
    const run = this.reconciling.then(() => (options.onlyIfChanged === true ? this.reconcileIfChanged() : this.reconcileNow()));
    this.reconciling = run.catch(() => undefined);
    return run;
  }

  private async reconcileNow(): Promise<void> {
    const world = readWorld(this.layout);
    if (!world) return;
    const listed = new Map<string, WorldCluster>([world.management, ...world.clusters].map((c) => [c.name, c]));
    // A stopped cluster stays listed and keeps its state, but is not served.
    const wanted = new Map([...listed].filter(([, c]) => c.stopped !== true));
    for (const [name, cluster] of this.running) {
      const want = listed.get(name);
      const sameIncarnation = want !== undefined && (want.id ?? null) === this.incarnations.get(name);
      if (sameIncarnation && want.port === cluster.port && wanted.has(name)) continue;
      // Gone or replaced: its state goes with it. Moved to another port or stopped: it keeps its state.
      await this.stopCluster(name, cluster, { keepState: sameIncarnation });
    }
    const moves: PortMove[] = [];
    for (const cluster of wanted.values()) {
      if (this.running.has(cluster.name)) continue;
      const started = await this.startCluster(cluster);
      if (started.port !== cluster.port) moves.push({ name: cluster.name, what: 'cluster', from: cluster.port, to: started.port });
      this.running.set(cluster.name, started);
      this.incarnations.set(cluster.name, cluster.id ?? null);
      this.clusternet.set(cluster.name, startClusternetStatus(started));
    }
    if (!this.portainer) {
      const options = { stateFile: this.layout.portainerState, apiKey: SANDBOX_PORTAINER_KEY };
      this.portainer = await startPortainerServer({ ...options, port: world.portainerPort }).catch(async (error: unknown) => {
        if (!addressInUse(error)) throw error;
        const started = await startPortainerServer(options);
        moves.push({ name: 'portainer', what: 'portainer', from: world.portainerPort, to: Number(new URL(started.url).port) });
        return started;
      });
    }
    if (moves.length > 0) await this.recordMoves(world, moves);
    // The sample DR plans call hooks on a fixed port; if something else holds it, those plans fail visibly.
    this.drHooks ??= await startDrHooksServer().catch(() => null);
    const management = this.running.get(world.management.name);
    // Loaded here, after the API servers answer: the apps modules pull in the Kubernetes client (over a second).
    if (management && !this.apps) this.apps = await (await import('../apps/app-agents.js')).startSandboxAppAgents(management);
    if (management && !this.appsController) this.appsController = (await import('../apps/apps-controller-host.js')).startSandboxAppsController(management);
    for (const [name, cluster] of this.running) if (!this.nodes.has(name)) this.nodes.set(name, this.startNode(cluster));
  }

  /** Starts a cluster's installer node without holding up the reconcile; it picks up pods made meanwhile. */
  private async startNode(cluster: SandboxCluster): Promise<InstallerPods | null> {
    try {
      return (await import('./installer-nodes.js')).startInstallerNode(this.layout, cluster);
    } catch (error) {
      if (!this.nodesUnavailable) this.options.onNotice?.(`sandbox: installer Jobs cannot run their pods here (${(error as Error).message.split('\n')[0]}); the controller ends them instead`);
      this.nodesUnavailable = true;
      return null;
    }
  }

  private async stopNode(name: string): Promise<void> {
    const node = this.nodes.get(name);
    this.nodes.delete(name);
    await (await node)?.stop().catch(() => undefined);
  }

  private async stopCluster(name: string, cluster: SandboxCluster, { keepState }: { keepState: boolean }): Promise<void> {
    this.running.delete(name);
    this.incarnations.delete(name);
    this.clusternet.get(name)?.stop();
    this.clusternet.delete(name);
    await this.stopNode(name);
    if (name === MANAGEMENT_CLUSTER) {
      // The apps agents and controller hold the management cluster's objects; they restart with it.
      await this.appsController?.stop().catch(() => undefined);
      this.appsController = null;
      await this.apps?.stop().catch(() => undefined);
      this.apps = null;
    }
    await cluster.stop();
    // Stopping writes the cluster's last state; a deleted or replaced cluster must not come back with it.
    if (!keepState) removeState(this.layout.clusterStateDir, name);
  }

  /** Starts a cluster on its recorded port, or on a free one when something else holds that port. */
  private async startCluster(cluster: WorldCluster): Promise<SandboxCluster> {
    const controller = { jobDelayMs: 300, runByNode: (job: KubeObject) => !this.nodesUnavailable && isInstallerJob(job) };
    const options = { name: cluster.name, stateDir: this.layout.clusterStateDir, nodeName: nodeNameOf(cluster), controller };
    try {
      return await startSandboxCluster({ ...options, port: cluster.port });
    } catch (error) {
      if (!addressInUse(error)) throw error;
      return startSandboxCluster({ ...options, port: 0 });
    }
  }

  /** Rewrites world.json and the kubeconfig, then every object that recorded an old URL, and says so once. */
  private async recordMoves(world: WorldFile, moves: PortMove[]): Promise<void> {
    await updateWorld(this.layout, (current) => withPortsMoved(current ?? world, moves));
    const changes = moves.filter((m) => m.what === 'cluster').map((m) => ({ from: serverUrlOf({ port: m.from }), to: serverUrlOf({ port: m.to }) }));
    for (const cluster of this.running.values()) repointUrls(cluster.store, changes);
    this.moved.push(...moves);
    const clusters = new Map(worldClusters(world).map((c) => [c.name, c]));
    const described = moves.map((m) => `${m.what === 'cluster' ? `cluster ${clusters.get(m.name)?.provider ?? ''}-${m.name}` : 'portainer'} ${m.from} -> ${m.to}`);
    this.options.onNotice?.(`sandbox: port${moves.length > 1 ? 's' : ''} in use, moved ${described.join(', ')}; rewrote ${this.layout.kubeconfig} and the registrations`);
  }

  private async reconcileIfChanged(): Promise<void> {
    let mtime = 0;
    try {
      mtime = statSync(this.layout.worldFile).mtimeMs;
    } catch {
      return;
    }
    if (mtime === this.seenMtime) return;
    this.seenMtime = mtime;
    await this.reconcileNow();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reconciling.catch(() => undefined);
    await this.appsController?.stop().catch(() => undefined);
    this.appsController = null;
    await this.apps?.stop().catch(() => undefined);
    this.apps = null;
    for (const sim of this.clusternet.values()) sim.stop();
    this.clusternet.clear();
    await Promise.all([...this.nodes.keys()].map((name) => this.stopNode(name)));
    for (const cluster of this.running.values()) await cluster.flush().catch(() => undefined);
    for (const cluster of this.running.values()) await cluster.stop().catch(() => undefined);
    this.running.clear();
    this.incarnations.clear();
    await this.portainer?.close();
    this.portainer = null;
    await this.drHooks?.close();
    this.drHooks = null;
    const lock = this.lock;
    this.lock = null;
    await new Promise<void>((resolve) => (lock ? lock.close(() => resolve()) : resolve()));
  }
}

export const SANDBOX_PORTAINER_KEY = 'sandbox-portainer-key';
