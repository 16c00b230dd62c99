import { createServer } from 'node:net';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFleetServices, type FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import { openTestEngine } from '../../support/engine.js';
import { openTestFleet, type TestFleet } from '../lifecycle/support/test-fleet.js';
import { wire } from '../lifecycle/support/wire.js';

interface K3dState { ports: string[]; subnet: string | null; running: boolean; apiPort: number }

/** A TCP listener on a free loopback port, standing in for an API server. */
async function listen(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('drift detection and repair against real parts', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, close: closeEngine } = await openTestEngine('postgres'));
    services = wire(engine, fleet.ports);
    await services.lifecycle.create('dev', 'k3d');
    await services.lifecycle.create('uat', 'kind');
    await services.lifecycle.create('prod-k3d', 'k3d');
    expect((await services.drift.scan()).items).toEqual([]);
  });
  afterEach(async () => {
    await closeEngine();
    await fleet.close();
  });

  function editK3d(name: string, edit: (c: K3dState) => void): void {
    const state = fleet.tools.state();
    edit(state.k3d[name] as unknown as K3dState);
    fleet.tools.writeState(state);
  }

  it('detects every kind of drift, plans safe repairs, and leaves the fleet clean', async () => {
    const dev = await engine.inventory.show('dev');
    const { git, providers, registrars } = fleet.ports;
    await git.deleteBranch('uat');
    await git.ensureBranch({ ...dev, name: 'legacy-qa' });
    editK3d('dev', (c) => {
      c.ports = c.ports.map((p) => (p.endsWith(':80@loadbalancer') ? '18080:80@loadbalancer' : p));
      c.subnet = '10.99.0.0/24';
    });
    const state = fleet.tools.state();
    delete state.k3d['prod-k3d'];
    fleet.tools.writeState(state);
    await providers.k3d.create({ ...dev, name: 'scratch', subnet: '10.250.0.0/24', pfPort: 61000, httpPort: 61001, httpsPort: 61002 });
    await registrars.portainer.remove('uat');
    await registrars.haproxy.ensure({ ...(await engine.inventory.show('uat')), httpPort: 1234 });
    await registrars.argocd.ensure({ ...dev, name: 'ghost' }, { server: 'https://127.0.0.1:9' });

    const report = await services.drift.scan();
    expect(report.unchecked).toEqual([]);
    expect(report.items.map((i) => i.id)).toEqual([
      'missing_branch:uat', 'missing_cluster:prod-k3d', 'missing_registration:portainer:uat', 'orphan_branch:legacy-qa',
      'orphan_cluster:scratch', 'orphan_registration:argocd:ghost', 'port_mismatch:dev', 'stale_registration:haproxy:uat', 'subnet_mismatch:dev']);
    for (const item of report.items) expect(item.repair.description.length).toBeGreaterThan(10);

    const plan = await services.drift.plan();
    expect(plan.id).toMatch(/^plan-[0-9a-f]{8}$/);
    expect(plan.actions.map((a) => a.type)).toEqual(['adopt_cluster', 'update_row_from_live', 'create_branch', 'archive_branch',
      'recreate_cluster', 'ensure_registration', 'remove_registration', 'ensure_registration']);
    const { operation } = await services.drift.apply(plan.id);
    expect(operation?.status).toBe('succeeded');
    expect((await services.drift.scan()).items).toEqual([]);

    expect(Object.keys(fleet.tools.state().k3d).sort()).toEqual(['dev', 'prod-k3d', 'scratch']);
    expect((await engine.inventory.show('scratch')).httpPort).toBe(61001);
    expect((await engine.inventory.show('dev')).httpPort).toBe(18080);
    expect((await fleet.branches()).some((b) => b.startsWith('archive/legacy-qa-'))).toBe(true);
    const audit = await engine.db.query<{ action: string; result: string }>("SELECT action, result FROM audit_log WHERE action LIKE 'repair.%' OR action = 'drift.repair' ORDER BY id");
    expect(audit.rows).toEqual([{ action: 'repair.plan', result: 'ok' }, { action: 'drift.repair', result: 'ok' }, { action: 'repair.apply', result: 'ok' }]);
  });

  it('moves a Portainer environment that points at another port back to the row, keeping the environment', async () => {
    const endpoint = [...fleet.portainer.endpoints.values()].find((e) => e.Name === 'dev')!;
    const row = await engine.inventory.show('dev');
    expect(endpoint.PublicURL).toBe(`http://127.0.0.1:${row.httpPort}`);
    endpoint.PublicURL = 'http://127.0.0.1:18999';
    const report = await services.drift.scan();
    expect(report.items.map((i) => [i.id, i.message])).toEqual([
      ['stale_registration:portainer:dev', `the Portainer environment of dev points at http://127.0.0.1:18999; the row's http port is ${row.httpPort}`]]);
    const plan = await services.drift.plan();
    const { operation } = await services.drift.apply(plan.id);
    expect(operation?.steps.map((s) => [s.name, s.outputs])).toEqual([
      ['ensure_registration portainer dev', { action: 'updated' }], [`mark plan ${plan.id} applied`, {}]]);
    expect(fleet.portainer.requests).toContain(`PUT /api/endpoints/${endpoint.Id}`);
    expect(fleet.portainer.endpoints.get(endpoint.Id)?.PublicURL).toBe(`http://127.0.0.1:${row.httpPort}`);
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('refuses a stale plan, and applies a plan at most once', async () => {
    await fleet.ports.git.deleteBranch('uat');
    const plan = await services.drift.plan();
    await engine.inventory.add({ name: 'other', provider: 'kind' });
    await expect(services.drift.apply(plan.id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('stale') });
    expect(await fleet.branches()).not.toContain('uat');
    await expect(services.drift.apply(plan.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await engine.inventory.remove('other');

    const fresh = await services.drift.plan();
    await fleet.ports.git.ensureBranch({ ...(await engine.inventory.show('dev')), name: 'sneaky' });
    await expect(services.drift.apply(fresh.id)).rejects.toMatchObject({ message: expect.stringContaining('stale') });

    const last = await services.drift.plan();
    await services.drift.apply(last.id);
    await expect(services.drift.apply(last.id)).rejects.toMatchObject({ message: expect.stringContaining('already applied') });
    expect((await services.drift.scan()).items).toEqual([]);
    const refused = await engine.db.query("SELECT 1 FROM audit_log WHERE action = 'repair.apply' AND result = 'refused'");
    expect(refused.rows).toHaveLength(2);
  });

  it('refuses to apply under --readonly before writing anything, even a stale plan', async () => {
    await fleet.ports.git.deleteBranch('uat');
    const plan = await services.drift.plan();
    await engine.inventory.add({ name: 'other', provider: 'kind' });
    const readonly = createFleetServices({
      db: engine.db, relay: engine.relay, actor: engine.actor, readonly: true, runner: engine.operations, ranges: engine.config.ranges,
      ports: async () => fleet.ports, collect: { probeApi: false },
    });
    const before = await engine.db.query<{ n: string }>("SELECT count(*) AS n FROM audit_log WHERE action = 'repair.apply' AND result <> 'refused'");
    await expect(readonly.drift.apply(plan.id)).rejects.toMatchObject({ code: 'READONLY' });
    expect((await services.drift.showPlan(plan.id)).status).toBe('planned');
    const stale = await engine.db.query("SELECT 1 FROM audit_log WHERE action = 'repair.apply' AND details->>'reason' = 'stale'");
    expect(stale.rows).toEqual([]);
    const after = await engine.db.query<{ n: string }>("SELECT count(*) AS n FROM audit_log WHERE action = 'repair.apply' AND result <> 'refused'");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    await expect(services.drift.apply(plan.id)).rejects.toMatchObject({ message: expect.stringContaining('stale') });
    expect((await services.drift.showPlan(plan.id)).status).toBe('refused');
  });

  it('lets only one of two processes racing to apply a plan run it', async () => {
    await fleet.ports.git.deleteBranch('uat');
    const plan = await services.drift.plan();
    const other = wire(engine, fleet.ports);
    const results = await Promise.allSettled([services.drift.apply(plan.id), other.drift.apply(plan.id)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(rejected.reason).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/being applied by someone else|already applied/) });
    expect((await engine.operations.list()).filter((op) => op.kind === 'drift.repair')).toHaveLength(1);
    expect((await services.drift.showPlan(plan.id)).status).toBe('applied');
  });

  it('deletes an orphan cluster only when asked', async () => {
    const dev = await engine.inventory.show('dev');
    await fleet.ports.providers.kind.create({ ...dev, provider: 'kind', name: 'tmp' });
    const safe = await services.drift.plan();
    expect(safe.actions).toEqual([{ type: 'adopt_cluster', cluster: 'tmp', provider: 'kind' }]);
    const deleting = await services.drift.plan({ destructive: ['orphan_cluster:tmp'] });
    expect(deleting.actions).toEqual([{ type: 'delete_cluster', cluster: 'tmp', provider: 'kind' }]);
    await services.drift.apply(deleting.id);
    expect(Object.keys(fleet.tools.state().kind)).toEqual(['uat']);
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('starts a stopped cluster by default, journaled, and waits until its API server answers; drift is clean', async () => {
    // What answers on the API port once the cluster runs (the fake k3d runs no API server of its own).
    const api = await listen();
    editK3d('prod-k3d', (c) => { c.apiPort = api.port; });
    await fleet.ports.registrars.argocd.ensure(await engine.inventory.show('prod-k3d'), { server: `https://127.0.0.1:${api.port}` });
    await execa('k3d', ['cluster', 'stop', 'prod-k3d'], { env: fleet.tools.env });
    try {
      const report = await services.drift.scan();
      expect(report.items.map((i) => [i.id, i.message])).toEqual([['api_unreachable:prod-k3d', 'cluster prod-k3d is stopped, so its API server does not answer']]);
      expect(report.items[0]!.repair).toMatchObject({ action: { type: 'start_cluster', cluster: 'prod-k3d' }, destructive: false });

      const plan = await services.drift.plan();
      expect(plan.repairs).toEqual([{ itemId: 'api_unreachable:prod-k3d', choice: report.items[0]!.repair }]);
      expect(plan.actions).toEqual([{ type: 'start_cluster', cluster: 'prod-k3d' }]);
      const before = fleet.tools.calls().length;
      const { operation } = await services.drift.apply(plan.id);
      expect(operation?.status).toBe('succeeded');
      expect(operation?.steps.map((s) => [s.name, s.outputs])).toEqual([
        ['start_cluster prod-k3d', { was: 'stopped', server: `https://127.0.0.1:${api.port}` }], [`mark plan ${plan.id} applied`, {}]]);
      const calls = fleet.tools.calls().slice(before);
      expect(calls).toContainEqual(['k3d', 'cluster', 'start', 'prod-k3d', '--wait', '--timeout', '60s']);
      expect(calls.filter((c) => c[2] === 'delete' || c[2] === 'create')).toEqual([]);
      expect(fleet.tools.state().k3d['prod-k3d']).toMatchObject({ running: true, apiPort: api.port });
      expect((await services.drift.scan()).items).toEqual([]);
      // Its API server is probed again and answers (the other fake clusters have none listening).
      const probed = await wire(engine, fleet.ports, { probeApi: true }).drift.scan();
      expect(probed.items.filter((i) => i.target === 'prod-k3d')).toEqual([]);
      const audit = await engine.db.query<{ action: string; result: string }>("SELECT action, result FROM audit_log WHERE action IN ('repair.plan', 'drift.repair', 'repair.apply') ORDER BY id");
      expect(audit.rows).toEqual([{ action: 'repair.plan', result: 'ok' }, { action: 'drift.repair', result: 'ok' }, { action: 'repair.apply', result: 'ok' }]);
    } finally {
      await api.close();
    }
  });

  it('fails the start repair clearly when a running cluster still does not answer, changing nothing; replaces it only when asked', async () => {
    // dev runs, but nothing answers where k3d says its API server listens (the fake k3d runs none).
    const port = (fleet.tools.state().k3d.dev as unknown as K3dState).apiPort;
    const quick = createFleetServices({
      db: engine.db, relay: engine.relay, actor: engine.actor, readonly: false, runner: engine.operations, ranges: engine.config.ranges,
      ports: async () => fleet.ports, collect: { probeApi: true }, startWait: { timeoutMs: 1500, pollMs: 100 },
    });
    const ofDev = async (): Promise<string[]> => (await quick.drift.scan()).items.filter((i) => i.target === 'dev').map((i) => `${i.id}: ${i.message}`);
    expect(await ofDev()).toEqual([`api_unreachable:dev: the API server of cluster dev does not answer (ECONNREFUSED at 127.0.0.1:${port})`]);

    const plan = await quick.drift.plan({ only: ['api_unreachable:dev'] });
    expect(plan.actions).toEqual([{ type: 'start_cluster', cluster: 'dev' }]);
    const state = JSON.stringify(fleet.tools.state());
    const row = await engine.inventory.show('dev');
    const registrations = await Promise.all([fleet.ports.registrars.argocd.list(), fleet.ports.registrars.portainer.list(), fleet.ports.registrars.haproxy.list()]);
    const error = (await quick.drift.apply(plan.id).catch((e: unknown) => e)) as FleetError;
    expect(error).toBeInstanceOf(FleetError);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain(`cluster dev was running already (starting it changed nothing), but its API server at https://127.0.0.1:${port} did not answer within 2 s (ECONNREFUSED at 127.0.0.1:${port})`);
    expect(error.hint).toContain('`docker logs k3d-dev-server-0`');
    expect(error.hint).toContain(`that https://127.0.0.1:${port} is where its API server listens (\`k3d kubeconfig get dev\`)`);
    expect(error.hint).toContain('Nothing else was changed.');
    expect(error.hint).toContain('`fleetdeck repair --plan --only api_unreachable:dev --delete`');
    expect(JSON.stringify(fleet.tools.state())).toBe(state);
    expect(await engine.inventory.show('dev')).toEqual(row);
    expect(await Promise.all([fleet.ports.registrars.argocd.list(), fleet.ports.registrars.portainer.list(), fleet.ports.registrars.haproxy.list()])).toEqual(registrations);
    expect((await quick.drift.showPlan(plan.id)).status).toBe('failed');
    const failed = (await engine.operations.list()).find((op) => op.kind === 'drift.repair')!;
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('start_cluster dev: cluster dev was running already') });
    expect(await ofDev()).toEqual([`api_unreachable:dev: the API server of cluster dev does not answer (ECONNREFUSED at 127.0.0.1:${port})`]);

    // A stopped cluster that comes up without its API server answering fails the same way, and stays started.
    await execa('k3d', ['cluster', 'stop', 'prod-k3d'], { env: fleet.tools.env });
    const starting = await quick.drift.plan({ only: ['api_unreachable:prod-k3d'] });
    const prodPort = (fleet.tools.state().k3d['prod-k3d'] as unknown as K3dState).apiPort;
    await expect(quick.drift.apply(starting.id)).rejects.toMatchObject({ code: 'TIMEOUT',
      message: expect.stringContaining(`cluster prod-k3d was started, but its API server at https://127.0.0.1:${prodPort} did not answer within 2 s`) });
    expect(fleet.tools.state().k3d['prod-k3d']).toMatchObject({ running: true });

    const replacing = await quick.drift.plan({ only: ['api_unreachable:dev'], destructive: ['api_unreachable'] });
    expect(replacing.actions).toEqual([{ type: 'replace_cluster', cluster: 'dev' }]);
    const before = fleet.tools.calls().length;
    const { operation } = await quick.drift.apply(replacing.id);
    expect(operation?.status).toBe('succeeded');
    expect(fleet.tools.calls().slice(before).filter((c) => c[0] === 'k3d' && c[1] === 'cluster' && c[2] !== 'list').map((c) => c.slice(0, 4))).toEqual([
      ['k3d', 'cluster', 'delete', 'dev'], ['k3d', 'cluster', 'create', 'dev']]);
    expect(fleet.tools.state().k3d.dev).toMatchObject({ running: true });
  });
});
