/**
 * End to end in the sandbox, through the real binary: create and delete an environment, inject every kind of drift
 * the sandbox can hold, see `drift` report each (exit 3), repair with `repair --plan` / `repair --apply`, and end
 * with `drift` exit 0. The test process hosts the sandbox world (and injects the drift through its adapters); every
 * fleetdeck command is a separate process using that world, the cluster it replaces included: the host starts the
 * new cluster where world.json says.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { openSandboxEngine } from '../../src/sandbox/open-sandbox.js';
import type { SandboxFleet } from '../../src/sandbox/world/sandbox-fleet.js';
import { readWorld, updateWorld } from '../../src/sandbox/world/world-file.js';
import { fleetdeck, type CliResult } from '../support/cli.js';

interface Report { items: { id: string; repair: { description: string } }[]; unchecked: { source: string }[] }
interface Plan { id: string; actions: { type: string }[]; repairs: { itemId: string; choice: unknown; note?: string }[] }

describe('drift in the sandbox, end to end through the fleetdeck binary', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-sandbox-drift-'));
  const cli = (...args: string[]): Promise<CliResult> => fleetdeck(['--sandbox', '--data-dir', dataDir, ...args]);
  const json = <T>(result: CliResult): T => JSON.parse(result.stdout) as T;
  let engine: Engine;
  let fleet: SandboxFleet;

  beforeAll(async () => {
    ({ engine, fleet } = await openSandboxEngine(resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir })));
  }, 120_000);
  afterAll(async () => engine?.close());

  it('creates and deletes an environment, detects each injected drift, repairs it all and ends clean', async () => {
    const created = await cli('env', 'create', 'qa', '--provider', 'kind', '--json');
    expect(created.exitCode, created.stderr).toBe(0);
    expect(json<{ status: string; steps: { name: string }[] }>(created)).toMatchObject({ status: 'succeeded' });
    const again = await cli('env', 'create', 'qa', '--provider', 'kind');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('cluster "qa" already exists');
    expect((await cli('env', 'delete', 'qa')).exitCode).toBe(2);
    const deleted = await cli('env', 'delete', 'qa', '--yes');
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect((await fleet.providers.kind.list()).map((c) => c.name)).not.toContain('qa');
    expect([...(await fleet.git.listBranches()).keys()]).not.toContain('qa');

    // The sandbox seeds: a missing branch (uat), an orphan branch (legacy-qa), a missing Portainer registration
    // (prod-k3d) and an orphan cluster (scratch). The rest is injected here, one or two kinds per environment.
    const row = (name: string) => engine.inventory.show(name);
    const { registrars } = fleet;
    await registrars.argocd.remove('dev');
    await registrars.haproxy.ensure({ ...(await row('uat')), httpPort: 1234 });
    await fleet.providers.kind.delete('prod');
    await registrars.haproxy.remove('dev-k3d');
    await registrars.portainer.ensure({ ...(await row('dev-k3d')), httpPort: 1235 });
    await registrars.argocd.ensure({ ...(await row('uat-k3d')) }, { server: 'https://127.0.0.1:1' });
    await registrars.argocd.ensure({ ...(await row('uat-k3d')), name: 'ghost' }, { server: 'https://127.0.0.1:2' });
    // What the sandbox clusters "run with" lives in world.json: other ports, another subnet.
    await updateWorld(fleet.layout, (world) => ({
      ...world!,
      clusters: world!.clusters.map((c) => {
        if (c.name === 'dev') return { ...c, record: { ...c.record!, httpPort: 45001 } };
        if (c.name === 'uat-k3d') return { ...c, record: { ...c.record!, subnet: '10.99.0.0/24' } };
        return c;
      }),
    }));
    // A stopped cluster: world.json marks it, and the hosting process (this one) stops serving it, keeping its objects.
    const portOf = (name: string): number | undefined => readWorld(fleet.layout)!.clusters.find((c) => c.name === name)?.port;
    const configMaps = `http://127.0.0.1:${portOf('prod-k3d')}/api/v1/namespaces/default/configmaps`;
    const kept = await fetch(configMaps, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' }, data: { survives: 'a stop and a start' } }) });
    expect(kept.status).toBe(201);
    await updateWorld(fleet.layout, (world) => ({ ...world!, clusters: world!.clusters.map((c) => (c.name === 'prod-k3d' ? { ...c, stopped: true } : c)) }));
    await fleet.host.reconcile();
    expect(fleet.host.cluster('prod-k3d')).toBeUndefined();

    const found = await cli('drift', '--json');
    expect(found.exitCode, found.stderr).toBe(3);
    const report = json<Report>(found);
    expect(report.unchecked).toEqual([]);
    expect(report.items.map((i) => i.id).sort()).toEqual([
      'api_unreachable:prod-k3d', 'missing_branch:uat', 'missing_cluster:prod', 'missing_registration:argocd:dev',
      'missing_registration:haproxy:dev-k3d', 'missing_registration:portainer:prod-k3d', 'orphan_branch:legacy-qa',
      'orphan_cluster:scratch', 'orphan_registration:argocd:ghost', 'port_mismatch:dev', 'stale_registration:argocd:uat-k3d', 'stale_registration:haproxy:uat', 'stale_registration:portainer:dev-k3d', 'subnet_mismatch:uat-k3d',
    ]);
    for (const item of report.items) expect(item.repair.description.length).toBeGreaterThan(10);

    expect(report.items.find((i) => i.id === 'api_unreachable:prod-k3d')).toMatchObject({ message: 'cluster prod-k3d is stopped, so its API server does not answer' });

    const planned = await cli('repair', '--plan', '--json');
    expect(planned.exitCode, planned.stderr).toBe(0);
    const plan = json<Plan>(planned);
    // The safe default for a stopped cluster is to start it; replacing it is only the --delete alternative.
    expect(plan.repairs.find((r) => r.itemId === 'api_unreachable:prod-k3d')).toMatchObject({
      choice: { action: { type: 'start_cluster', cluster: 'prod-k3d' }, destructive: false } });
    expect(plan.actions.map((a) => a.type)).toEqual(expect.arrayContaining(['adopt_cluster', 'start_cluster']));
    expect(plan.actions.map((a) => a.type)).not.toContain('replace_cluster');
    const applied = await cli('repair', '--apply', plan.id);
    expect(applied.exitCode, applied.stderr + applied.stdout).toBe(0);
    expect((await cli('repair', '--apply', plan.id)).exitCode).toBe(1);

    // Started where it was, with what it held; drift is clean.
    const started = await cli('drift', '--json');
    expect(started.exitCode, started.stdout).toBe(0);
    const quietPort = portOf('prod-k3d');
    expect(fleet.host.cluster('prod-k3d')?.port).toBe(quietPort);
    expect(await (await fetch(`${configMaps}/kept`)).json()).toMatchObject({ data: { survives: 'a stop and a start' } });

    // An API server gone quiet: the hosting process (this one) stops serving it, world.json still lists it running.
    // Starting it stays the default (it would fail saying so); replacing it is asked for with --delete.
    await fleet.host.cluster('prod-k3d')!.stop();
    const left = await cli('drift', '--json');
    expect(left.exitCode).toBe(3);
    expect(json<Report>(left).items.map((i) => i.id)).toEqual(['api_unreachable:prod-k3d']);
    const safe = json<Plan>(await cli('repair', '--plan', '--only', 'api_unreachable:prod-k3d', '--json'));
    expect(safe.actions).toEqual([{ type: 'start_cluster', cluster: 'prod-k3d' }]);
    const replacing = await cli('repair', '--plan', '--only', 'api_unreachable:prod-k3d', '--delete', '--json');
    expect(replacing.exitCode, replacing.stderr).toBe(0);
    const replace = json<Plan>(replacing);
    expect(replace.actions).toEqual([{ type: 'replace_cluster', cluster: 'prod-k3d' }]);
    // Applied by a second process: it stops the cluster and starts a new one at once, and the hosting process
    // (this one) serves the new one on the port world.json now records.
    const replaced = await cli('repair', '--apply', replace.id, '--json');
    expect(replaced.exitCode, replaced.stderr + replaced.stdout).toBe(0);
    expect(json<{ operation: { status: string } }>(replaced).operation.status).toBe('succeeded');
    expect(portOf('prod-k3d')).not.toBe(quietPort);
    expect(fleet.host.cluster('prod-k3d')?.port).toBe(portOf('prod-k3d'));

    const clean = await cli('drift');
    expect(clean.exitCode, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('No drift');
    expect((await row('dev')).httpPort).toBe(45001);
    expect((await row('scratch')).httpPort).toBe(61001);
    const audit = json<{ action: string; target: string; result: string }[]>(await cli('audit', '--json', '--limit', '200'));
    const did = (action: string, target?: string) => audit.some((a) => a.action === action && a.result === 'ok' && (!target || a.target === target));
    expect(did('env.create', 'qa') && did('env.delete', 'qa') && did('repair.apply', plan.id) && did('repair.apply', replace.id)).toBe(true);
  }, 240_000);
});
