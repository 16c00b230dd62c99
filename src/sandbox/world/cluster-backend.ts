import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../../core/errors.js';
import type { ClusterRecord } from '../../../core/inventory/types.js';
import type { SandboxClusterBackend, SandboxClusterState } from '../../../core/providers/sandbox-provider.js';
import { freePort } from './free-port.js';
import { askHostToReconcile } from './host-channel.js';
import type { SandboxHost } from './host.js';
import type { WorldCluster, WorldLayout } from './world-file.js';
import { readWorld, serverUrlOf, updateWorld, worldClusters } from './world-file.js';

/**
 * Waits until a sandbox API server answers, whichever process hosts it. `url` is asked again on every try: a host
 * that found the recorded port busy moves the cluster and rewrites world.json.
 */
export async function waitUntilServing(url: string | (() => string | undefined), timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = typeof url === 'string' ? url : '';
  for (;;) {
    const current = typeof url === 'string' ? url : url();
    if (current !== undefined) {
      last = current;
      try {
        const response = await fetch(`${current}/version`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // Not up yet.
      }
    }
    if (Date.now() > deadline) {
      throw new FleetError('UNAVAILABLE', `the sandbox API server at ${last || 'an unrecorded port'} does not answer`,
        'Is another fleetdeck process hosting the sandbox stuck? Stop it, or run `fleetdeck sandbox reset`.');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The URL world.json records for a cluster right now. */
export function recordedUrl(layout: WorldLayout, name: string): string | undefined {
  const world = readWorld(layout);
  const cluster = world ? worldClusters(world).find((c) => c.name === name) : undefined;
  return cluster ? serverUrlOf(cluster) : undefined;
}

/** Sandbox clusters as the SandboxProvider sees them: entries of world.json served by the host. */
export class WorldClusterBackend implements SandboxClusterBackend {
  constructor(private readonly layout: WorldLayout, private readonly host: SandboxHost, private readonly ensureHosted: () => Promise<void>) {}

  async start(name: string, record: ClusterRecord): Promise<{ url: string }> {
    const port = await freePort();
    const world = await updateWorld(this.layout, (current) => {
      if (!current) throw new FleetError('UNAVAILABLE', 'the sandbox world is not set up', 'Run `fleetdeck sandbox reset`.');
      const existing = current.clusters.find((c) => c.name === name);
      if (existing) return current;
      return { ...current, clusters: [...current.clusters, { name, provider: record.provider, port, record, id: randomUUID() }] };
    });
    if (!world.clusters.some((c) => c.name === name)) throw new FleetError('UNAVAILABLE', `sandbox cluster "${name}" was not recorded`, 'Run the command again.');
    await this.ensureHosted();
    await this.followed();
    await waitUntilServing(() => recordedUrl(this.layout, name));
    return { url: recordedUrl(this.layout, name) ?? '' };
  }

  /**
   * Clears the cluster's `stopped` mark and has the host serve it again, with the objects it held. A cluster that
   * is not stopped is left as it is, as `k3d cluster start` leaves a running one: whether it answers is the caller's
   * to check.
   */
  async resume(name: string): Promise<boolean> {
    let found = false;
    await updateWorld(this.layout, (current) => {
      if (!current) throw new FleetError('UNAVAILABLE', 'the sandbox world is not set up', 'Run `fleetdeck sandbox reset`.');
      const existing = current.clusters.find((c) => c.name === name);
      found = existing !== undefined;
      if (existing?.stopped !== true) return current;
      const started = ({ stopped: _stopped, ...rest }: WorldCluster): WorldCluster => rest;
      return { ...current, clusters: current.clusters.map((c) => (c.name === name ? started(c) : c)) };
    });
    if (!found) return false;
    await this.ensureHosted();
    await this.followed();
    return true;
  }

  async stop(name: string): Promise<void> {
    await updateWorld(this.layout, (current) => {
      if (!current) throw new FleetError('UNAVAILABLE', 'the sandbox world is not set up', 'Run `fleetdeck sandbox reset`.');
      return { ...current, clusters: current.clusters.filter((c) => c.name !== name) };
    });
    await this.followed();
    rmSync(join(this.layout.clusterStateDir, `${name}.json`), { force: true });
  }

  /** The hosting process, this one or another, has caught up with world.json. */
  private async followed(): Promise<void> {
    if (this.host.isHost) {
      await this.host.reconcile();
      return;
    }
    try {
      await askHostToReconcile(this.layout.root);
    } catch (error) {
      throw new FleetError('UNAVAILABLE', (error as Error).message,
        'Is the process hosting the sandbox stuck? Stop it (another fleetdeck takes over), or run `fleetdeck sandbox reset`.');
    }
  }

  async list(): Promise<SandboxClusterState[]> {
    const world = readWorld(this.layout);
    return (world?.clusters ?? []).map((c) => ({
      name: c.name, provider: c.provider, url: serverUrlOf(c), running: c.stopped !== true,
      ...(c.record ? { record: c.record } : {}),
    }));
  }
}
