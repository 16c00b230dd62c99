/** A recorded port that something else holds: the sandbox moves that cluster and keeps the world consistent. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { PRIMUS_CLUSTER } from '../../core/dataplane/cluster-sync.js';
import { MANAGEMENT_CLUSTER } from '../../core/fleet.js';
import { openSandboxEngine } from '../../src/sandbox/open-sandbox.js';
import { readWorld, worldLayout, type WorldFile } from '../../src/sandbox/world/world-file.js';
import { fleetdeck } from '../support/cli.js';

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('a sandbox world whose recorded ports are taken', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-busy-port-'));
  const config = resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir });
  const layout = worldLayout(dataDir);
  const held: Server[] = [];
  let before: WorldFile;

  beforeAll(async () => {
    const first = await openSandboxEngine(config);
    await first.engine.close();
    before = readWorld(layout)!;
    for (const port of [before.management.port, before.clusters.find((c) => c.name === 'dev')!.port]) held.push(await hold(port));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('a --sandbox command still works, says in one line what moved, and rewrites world.json and the kubeconfig', async () => {
    const result = await fleetdeck(['--data-dir', dataDir, '--sandbox', 'clusters', 'ls', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { name: string }[]).map((c) => c.name)).toContain('dev');
    expect(result.stderr).not.toContain('bug');
    const notices = result.stderr.split('\n').filter((line) => line.includes('in use'));
    expect(notices).toHaveLength(1);
    const after = readWorld(layout)!;
    const oldDev = before.clusters.find((c) => c.name === 'dev')!.port;
    const newDev = after.clusters.find((c) => c.name === 'dev')!.port;
    expect(notices[0]).toContain(`kind-dev ${oldDev} -> ${newDev}`);
    expect(notices[0]).toContain(`k3d-devops ${before.management.port} -> ${after.management.port}`);
    expect(newDev).not.toBe(oldDev);
    expect(after.management.port).not.toBe(before.management.port);
    for (const c of before.clusters.filter((c) => c.name !== 'dev')) expect(after.clusters.find((a) => a.name === c.name)?.port).toBe(c.port);
    const kubeconfig = readFileSync(layout.kubeconfig, 'utf8');
    expect(kubeconfig).toContain(`http://127.0.0.1:${newDev}`);
    expect(kubeconfig).not.toContain(`http://127.0.0.1:${oldDev}\n`);
  }, 120_000);

  it('every record of the old URL follows: ArgoCD cluster Secret, Primus-SaFE Cluster endpoint, dataplane connection', async () => {
    const { engine, fleet } = await openSandboxEngine(config);
    try {
      const newUrl = `http://127.0.0.1:${readWorld(layout)!.clusters.find((c) => c.name === 'dev')!.port}`;
      const argocd = (await fleet.registrars.argocd.list()).find((r) => r.name === 'dev');
      expect(argocd?.target).toBe(newUrl);
      const management = await fleet.kube(MANAGEMENT_CLUSTER);
      const cr = await management.get({ apiVersion: PRIMUS_CLUSTER.apiVersion, kind: PRIMUS_CLUSTER.kind, name: 'dev' });
      expect((cr['status'] as { controlPlaneStatus: { endpoints: string[] } }).controlPlaneStatus.endpoints).toEqual([newUrl]);
      const row = await engine.db.query<{ kube_server: string }>('SELECT kube_server FROM dataplane_clusters WHERE name = $1', ['dev']);
      expect(row.rows[0]?.kube_server).toBe(newUrl);
      const report = await engine.drift.scan();
      expect(report.items.filter((i) => i.target === 'dev' || i.target === MANAGEMENT_CLUSTER)).toEqual([]);
      const nodes = await execa('kubectl', ['--kubeconfig', layout.kubeconfig, '--context', 'kind-dev', 'get', 'nodes', '-o', 'name']);
      expect(nodes.stdout).toBe('node/dev-control-plane');
    } finally {
      await engine.close();
    }
  }, 120_000);
});
