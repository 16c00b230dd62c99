import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { openSandboxEngine } from '../../src/sandbox/open-sandbox.js';
import type { SandboxFleet } from '../../src/sandbox/world/sandbox-fleet.js';
import { SANDBOX_ENVIRONMENTS, SEEDED_DRIFT } from '../../src/sandbox/world/seed.js';
import { readWorld } from '../../src/sandbox/world/world-file.js';
import { fleetdeck } from '../support/cli.js';

describe('the sandbox world', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-sandbox-'));
  let engine: Engine;
  let fleet: SandboxFleet;

  beforeAll(async () => {
    ({ engine, fleet } = await openSandboxEngine(resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir })));
  }, 180_000);

  afterAll(async () => engine?.close());

  it('holds the six environments in the inventory, each with its cluster, branch and registrations', async () => {
    const names = (await engine.inventory.list()).map((c) => c.name).sort();
    expect(names).toEqual(SANDBOX_ENVIRONMENTS.map((e) => e.name).sort());
    const live = [...await fleet.providers.kind.list(), ...await fleet.providers.k3d.list()].map((c) => c.name).sort();
    expect(live).toEqual([...names, SEEDED_DRIFT.orphanCluster].sort());
    const branches = [...(await fleet.git.listBranches()).keys()].sort();
    expect(branches).toEqual(['dev', 'dev-k3d', 'devops', SEEDED_DRIFT.orphanBranch, 'main', 'prod', 'prod-k3d', 'uat-k3d']);
    const argocd = (await fleet.registrars.argocd.list()).map((r) => r.name).sort();
    expect(argocd).toEqual(names);
    const portainer = (await fleet.registrars.portainer.list()).map((r) => r.name).sort();
    expect(portainer).toEqual(names.filter((n) => n !== SEEDED_DRIFT.missingPortainer));
    expect((await fleet.registrars.haproxy.list()).map((r) => r.name).sort()).toEqual(names);
  });

  it('serves each cluster to kubectl through the kubeconfig it writes, with provider-style context names', async () => {
    const kubeconfig = join(dataDir, 'sandbox', 'kubeconfig');
    const contexts = (await execa('kubectl', ['--kubeconfig', kubeconfig, 'config', 'get-contexts', '-o', 'name'])).stdout.split('\n').sort();
    expect(contexts).toEqual(['k3d-dev-k3d', 'k3d-devops', 'k3d-prod-k3d', 'k3d-scratch', 'k3d-uat-k3d', 'kind-dev', 'kind-prod', 'kind-uat']);
    const secrets = await execa('kubectl', ['--kubeconfig', kubeconfig, '--context', 'k3d-devops', 'get', 'secrets', '-n', 'argocd',
      '-l', 'argocd.argoproj.io/secret-type=cluster', '-o', 'json']);
    const items = (JSON.parse(secrets.stdout) as { items: { metadata: { name: string } }[] }).items;
    expect(items.map((s) => s.metadata.name).sort()).toEqual(SANDBOX_ENVIRONMENTS.map((e) => `cluster-${e.name}`).sort());
    expect(readFileSync(kubeconfig, 'utf8')).toContain('kind-uat');
  });

  it("is shared with another fleetdeck process: its writes land in this process's clusters, and it starts no copy", async () => {
    const before = readWorld(fleet.layout)!;
    const result = await fleetdeck(['--data-dir', dataDir, '--sandbox', 'env', 'create', 'qa', '--provider', 'kind', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('in use');
    // The other process registered qa with ArgoCD: the Secret is in the devops store this process serves.
    const devops = fleet.host.cluster('devops')!;
    const secret = devops.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'argocd', name: 'cluster-qa' });
    expect(secret?.metadata.labels?.['argocd.argoproj.io/secret-type']).toBe('cluster');
    // The cluster it created is served from here, on the port world.json records; the ports already there kept
    // their servers, so the other process never bound one of its own.
    const after = readWorld(fleet.layout)!;
    const qa = after.clusters.find((c) => c.name === 'qa')!;
    expect(fleet.host.cluster('qa')?.port).toBe(qa.port);
    expect(after.management.port).toBe(before.management.port);
    expect(devops.port).toBe(before.management.port);
    for (const c of before.clusters) expect(fleet.host.cluster(c.name)?.port).toBe(c.port);
    const listed = await fleetdeck(['--data-dir', dataDir, '--sandbox', 'clusters', 'ls', '--json']);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((c) => c.name)).toContain('qa');
  }, 120_000);
});
