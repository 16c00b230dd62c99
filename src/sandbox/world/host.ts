import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { realpathSync, statSync } from 'node:fs';
import { startSandboxCluster } from '../kube-api/cluster.js';
import type { SandboxCluster } from '../kube-api/cluster.js';
import { startSandboxAppAgents } from '../apps/app-agents.js';
import type { SandboxAppAgents } from '../apps/app-agents.js';
import { startDrHooksServer } from '../dr/hooks-server.js';
import type { HooksServer } from '../dr/hooks-server.js';
import { startPortainerServer } from '../portainer-server.js';
import type { PortainerServer } from '../portainer-server.js';
import type { WorldCluster, WorldLayout } from './world-file.js';
import { readWorld } from './world-file.js';

/**
 * The one process that serves a sandbox world's API servers. Hosting is claimed by binding a Linux abstract
 * socket, which the kernel frees when the host dies; the next process to look takes over on the same ports.
 * The host follows world.json, so clusters created by other processes start here.
 */
export class SandboxHost {
  private lock: Server | null = null;
  private readonly running = new Map<string, SandboxCluster>();
  private portainer: PortainerServer | null = null;
  private drHooks: HooksServer | null = null;
  private apps: SandboxAppAgents | null = null;
  private timer: NodeJS.Timeout | null = null;
  private seenMtime = 0;
  private reconciling: Promise<void> = Promise.resolve();

  constructor(private readonly layout: WorldLayout) {}

  get isHost(): boolean {
    return this.lock !== null;
  }

  cluster(name: string): SandboxCluster | undefined {
    return this.running.get(name);
  }

  /** Becomes the host if nobody is; true when this process hosts the world now. */
  async claim(): Promise<boolean> {
    if (this.lock) return true;
    const address = `\0fleetdeck-sandbox-${createHash('sha256').update(realpathSync(this.layout.root)).digest('hex').slice(0, 24)}`;
    const server = createServer((socket) => socket.end());
    const won = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(address, () => resolve(true));
    });
    if (!won) return false;
    server.unref();
    this.lock = server;
    await this.reconcile();
    this.timer = setInterval(() => {
      this.reconciling = this.reconciling.then(() => this.reconcileIfChanged()).catch(() => undefined);
    }, 250);
    this.timer.unref();
    return true;
  }

  /** Starts servers for clusters in world.json, stops the ones removed from it. */
  async reconcile(): Promise<void> {
    const world = readWorld(this.layout);
    if (!world) return;
    const wanted = new Map<string, WorldCluster>([world.management, ...world.clusters].map((c) => [c.name, c]));
    for (const [name, cluster] of this.running) {
      if (!wanted.has(name)) {
        this.running.delete(name);
        await cluster.stop();
      }
    }
    for (const cluster of wanted.values()) {
      if (this.running.has(cluster.name)) continue;
      const started = await startSandboxCluster({ name: cluster.name, stateDir: this.layout.clusterStateDir, port: cluster.port,
        controller: { jobDelayMs: 300 } });
      this.running.set(cluster.name, started);
    }
    if (!this.portainer) {
      this.portainer = await startPortainerServer({ port: world.portainerPort, stateFile: this.layout.portainerState, apiKey: SANDBOX_PORTAINER_KEY });
    }
    // The sample DR plans call hooks on a fixed port; if something else holds it, those plans fail visibly.
    this.drHooks ??= await startDrHooksServer().catch(() => null);
    const management = this.running.get(world.management.name);
    if (management && !this.apps) this.apps = await startSandboxAppAgents(management);
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
    await this.reconcile();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reconciling.catch(() => undefined);
    await this.apps?.stop().catch(() => undefined);
    this.apps = null;
    for (const cluster of this.running.values()) await cluster.flush().catch(() => undefined);
    for (const cluster of this.running.values()) await cluster.stop().catch(() => undefined);
    this.running.clear();
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
