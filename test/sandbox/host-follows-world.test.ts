/**
 * The hosting process follows world.json, whoever changed it: a cluster replaced under the same name starts empty
 * on its new port, a cluster moved to another port keeps its objects, and a process that asks through the host's
 * socket gets its answer only once the host has caught up.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateFileFor } from '../../src/sandbox/kube-api/persistence.js';
import { freePort } from '../../src/sandbox/world/free-port.js';
import { askHostToReconcile } from '../../src/sandbox/world/host-channel.js';
import { SandboxHost } from '../../src/sandbox/world/host.js';
import { readWorld, updateWorld, worldLayout, type WorldCluster } from '../../src/sandbox/world/world-file.js';

const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'marker', namespace: 'default' }, data: { a: '1' } };
const MARKER_REF = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'marker' };

async function answersAt(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
}

async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the sandbox host follows world.json', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-host-follows-'));
  const layout = worldLayout(dataDir);
  const host = new SandboxHost(layout);
  const setDev = (change: (dev: WorldCluster | undefined) => WorldCluster | undefined): Promise<unknown> => updateWorld(layout, (world) => {
    const dev = change(world!.clusters.find((c) => c.name === 'dev'));
    return { ...world!, clusters: [...world!.clusters.filter((c) => c.name !== 'dev'), ...(dev ? [dev] : [])] };
  });

  beforeAll(async () => {
    const [management, dev, portainer] = [await freePort(), await freePort(), await freePort()];
    await updateWorld(layout, () => ({
      version: 1, seeded: true, portainerPort: portainer,
      management: { name: 'devops', provider: 'k3d', port: management, record: null },
      clusters: [{ name: 'dev', provider: 'kind', port: dev, record: null, id: 'first' }],
    }));
    expect(await host.claim()).toBe(true);
    host.cluster('dev')!.objects.put(CONFIG_MAP);
  }, 60_000);
  afterAll(async () => {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves a cluster whose port world.json changed, objects and all', async () => {
    const old = host.cluster('dev')!.port;
    const port = await freePort();
    await setDev((dev) => ({ ...dev!, port }));
    await eventually(() => host.cluster('dev')?.port === port, `dev serves on ${port}`);
    expect(await answersAt(port)).toBe(true);
    expect(await answersAt(old)).toBe(false);
    expect(host.cluster('dev')!.objects.get(MARKER_REF)?.['data']).toEqual({ a: '1' });
  });

  it('starts a cluster replaced in one write (deleted and created again) empty, on its new port', async () => {
    const port = await freePort();
    await setDev((dev) => ({ ...dev!, port, id: 'second' }));
    await eventually(() => host.cluster('dev')?.port === port, `the new dev serves on ${port}`);
    expect(await answersAt(port)).toBe(true);
    expect(host.cluster('dev')!.objects.get(MARKER_REF)).toBeUndefined();
  });

  it('answers a request through its socket once it has caught up: a deleted cluster is stopped and its state gone', async () => {
    host.cluster('dev')!.objects.put(CONFIG_MAP);
    await host.cluster('dev')!.flush();
    const port = host.cluster('dev')!.port;
    expect(existsSync(stateFileFor(layout.clusterStateDir, 'dev'))).toBe(true);
    await setDev(() => undefined);
    expect(await askHostToReconcile(layout.root)).toEqual({ hosted: true });
    expect(host.cluster('dev')).toBeUndefined();
    expect(await answersAt(port)).toBe(false);
    expect(existsSync(stateFileFor(layout.clusterStateDir, 'dev'))).toBe(false);

    const again = await freePort();
    await setDev(() => ({ name: 'dev', provider: 'kind', port: again, record: null, id: 'third' }));
    expect(await askHostToReconcile(layout.root)).toEqual({ hosted: true });
    expect(await answersAt(again)).toBe(true);
    expect(host.cluster('dev')!.objects.get(MARKER_REF)).toBeUndefined();
    expect(readWorld(layout)!.clusters.find((c) => c.name === 'dev')?.port).toBe(again);
  });

  it('a request to a world nobody hosts says so', async () => {
    const other = worldLayout(mkdtempSync(join(tmpdir(), 'fleetdeck-host-follows-none-')));
    await updateWorld(other, () => readWorld(layout)!);
    expect(await askHostToReconcile(other.root)).toEqual({ hosted: false });
    rmSync(join(other.root, '..'), { recursive: true, force: true });
  });
});
