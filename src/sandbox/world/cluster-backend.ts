import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../../core/errors.js';
import type { ClusterRecord } from '../../../core/inventory/types.js';
import type { SandboxClusterBackend, SandboxClusterState } from '../../../core/providers/sandbox-provider.js';
import { freePort } from './free-port.js';
import type { SandboxHost } from './host.js';
import type { WorldLayout } from './world-file.js';
import { readWorld, updateWorld } from './world-file.js';

/** Waits until a sandbox API server answers, whichever process hosts it. */
export async function waitUntilServing(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/version`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) {
      throw new FleetError('UNAVAILABLE', `the sandbox API server at ${url} does not answer`,
        'Is another fleetdeck process hosting the sandbox stuck? Stop it, or run `fleetdeck sandbox reset`.');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
      return { ...current, clusters: [...current.clusters, { name, provider: record.provider, port, record }] };
    });
    const cluster = world.clusters.find((c) => c.name === name)!;
    const url = `http://127.0.0.1:${cluster.port}`;
    await this.ensureHosted();
    if (this.host.isHost) await this.host.reconcile();
    await waitUntilServing(url);
    return { url };
  }

  async stop(name: string): Promise<void> {
    await updateWorld(this.layout, (current) => {
      if (!current) throw new FleetError('UNAVAILABLE', 'the sandbox world is not set up', 'Run `fleetdeck sandbox reset`.');
      return { ...current, clusters: current.clusters.filter((c) => c.name !== name) };
    });
    if (this.host.isHost) await this.host.reconcile();
    rmSync(join(this.layout.clusterStateDir, `${name}.json`), { force: true });
  }

  async list(): Promise<SandboxClusterState[]> {
    const world = readWorld(this.layout);
    return (world?.clusters ?? []).map((c) => ({
      name: c.name, provider: c.provider, url: `http://127.0.0.1:${c.port}`, running: true,
      ...(c.record ? { record: c.record } : {}),
    }));
  }
}
