/** Undo compensates only what an operation made; a create never takes over what exists without a row; undo refuses what it cannot restore. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import { openTestEngine } from '../../support/engine.js';
import { killAt } from './support/crash.js';
import { openTestFleet, type TestFleet } from './support/test-fleet.js';
import { wire } from './support/wire.js';

describe('what create and undo may touch', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let url: string | null;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, url, close: closeEngine } = await openTestEngine('postgres'));
    services = wire(engine, fleet.ports);
  });
  afterEach(async () => {
    delete process.env.FAKE_TOOL_FAIL;
    await closeEngine();
    await fleet.close();
  });

  async function template(name: string, provider: 'k3d' | 'kind' = 'kind') {
    return { ...(await engine.inventory.add({ name: 'template', provider })), name };
  }

  it('refuses to create over a branch or a cluster that exists without a row, pointing at repair, and writes nothing', async () => {
    const row = await template('qa');
    await engine.inventory.remove('template');
    const { sha } = await fleet.ports.git.ensureBranch(row);
    const branchError = await services.lifecycle.create('qa', 'kind').catch((e: unknown) => e) as FleetError;
    expect(branchError).toBeInstanceOf(FleetError);
    expect(branchError.code).toBe('CONFLICT');
    expect(branchError.message).toBe('a Git branch named "qa" already exists but qa is not in the inventory');
    expect(branchError.hint).toContain('fleetdeck repair --plan --only orphan_branch:qa');

    await fleet.ports.providers.k3d.create({ ...row, name: 'scratch', provider: 'k3d', subnet: '10.250.0.0/24' });
    const clusterError = await services.lifecycle.create('scratch', 'k3d').catch((e: unknown) => e) as FleetError;
    expect(clusterError.code).toBe('CONFLICT');
    expect(clusterError.message).toBe('a k3d cluster named "scratch" already exists but scratch is not in the inventory');
    expect(clusterError.hint).toContain('Adopt it with `fleetdeck repair --plan --only orphan_cluster:scratch`');

    expect(await engine.inventory.list()).toEqual([]);
    expect(await engine.operations.list()).toEqual([]);
    expect((await fleet.ports.git.listBranches()).get('qa')).toBe(sha);
    expect(Object.keys(fleet.tools.state().k3d)).toEqual(['scratch']);
    expect(fleet.tools.calls().filter((c) => c[2] === 'create' || c[2] === 'delete').map((c) => c.slice(0, 4)))
      .toEqual([['k3d', 'cluster', 'create', 'scratch']]);
  });

  it('refuses a cluster that appears between validation and its step, and undo leaves it and a pre-existing registration alone', async () => {
    const intruder = await template('prod', 'k3d');
    await engine.inventory.remove('template');
    await fleet.ports.registrars.argocd.ensure({ ...intruder, name: 'prod' }, { server: 'https://127.0.0.1:7443' });
    const racing = wire(engine, fleet.ports, { checkpoint: async (step, phase) => {
      if (step === 'cluster' && phase === 'before' && !fleet.tools.state().k3d.prod) {
        await fleet.ports.providers.k3d.create({ ...intruder, subnet: '10.251.0.0/24' });
      }
    } });
    const error = await racing.lifecycle.create('prod', 'k3d').catch((e: unknown) => e) as FleetError;
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('a k3d cluster named "prod" appeared while environment prod was being created');
    const id = error.details.operation as number;
    expect(await fleet.branches()).toContain('prod');

    const undone = await engine.operations.undo(id);
    expect(undone.status).toBe('undone');
    expect(Object.keys(fleet.tools.state().k3d)).toEqual(['prod']);
    expect(fleet.tools.calls().some((c) => c[2] === 'delete')).toBe(false);
    expect(await fleet.branches()).toEqual(['devops', 'main']);
    expect(await engine.inventory.list()).toEqual([]);
    expect((await fleet.ports.registrars.argocd.list()).map((r) => r.target)).toEqual(['https://127.0.0.1:7443']);
  });

  it('keeps a registration that existed before the create when undoing it, and removes the ones it made', async () => {
    const other = await template('uat');
    await engine.inventory.remove('template');
    await fleet.ports.registrars.argocd.ensure(other, { server: 'https://127.0.0.1:7443' });
    const failing = wire(engine, fleet.ports, { checkpoint: async (step, phase) => {
      if (step === 'haproxy' && phase === 'before') throw new FleetError('UNAVAILABLE', 'haproxy is down', 'Start it.');
    } });
    const error = await failing.lifecycle.create('uat', 'kind').catch((e: unknown) => e) as FleetError;
    const op = await engine.operations.show(error.details.operation as number);
    expect(op.steps.find((s) => s.name === 'argocd')?.outputs).toEqual({ action: 'updated' });
    await engine.operations.undo(op.id);
    expect((await fleet.ports.registrars.argocd.list()).map((r) => r.name)).toEqual(['uat']);
    expect([...fleet.portainer.endpoints.values()].map((e) => e.Name)).not.toContain('uat');
    expect(fleet.tools.state().kind).toEqual({});
    expect(await fleet.branches()).toEqual(['devops', 'main']);
  });

  it('undo after kill -9 removes the branch and cluster the killed process made, though a resume would find them there', async () => {
    const op = await killAt(engine, url!, fleet.setup, { mode: 'create', name: 'dev', provider: 'kind', pause: 'cluster:after' }, 'none');
    expect(op.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'started', 'pending', 'pending', 'pending']);
    expect(Object.keys(fleet.tools.state().kind)).toEqual(['dev']);
    const undone = await engine.operations.undo(op.id);
    expect(undone.status).toBe('undone');
    expect(fleet.tools.state().kind).toEqual({});
    expect(await fleet.branches()).toEqual(['devops', 'main']);
    expect(await engine.inventory.list()).toEqual([]);
    expect((await services.drift.scan()).items).toEqual([]);
    const audit = await engine.db.query<{ action: string; result: string; details: { error?: string } }>(
      "SELECT action, result, details FROM audit_log WHERE action IN ('env.create', 'ops.undo') ORDER BY id");
    expect(audit.rows.map((r) => [r.action, r.result, r.details.error ?? null])).toEqual([
      ['env.create', 'failed', 'rolled back with ops undo'], ['ops.undo', 'ok', null]]);
  }, 60_000);

  it('refuses to undo a delete or a repair, which cannot be compensated, and a failed delete hints at resume only', async () => {
    await services.lifecycle.create('dev', 'kind');
    process.env.FAKE_TOOL_FAIL = 'kind delete cluster';
    const failed = await services.lifecycle.delete('dev').catch((e: unknown) => e) as FleetError;
    expect(failed.hint).toContain(`fleetdeck ops resume ${failed.details.operation as number}`);
    expect(failed.hint).not.toContain('ops undo');
    expect((await engine.operations.show(failed.details.operation as number)).hint).not.toContain('ops undo');
    const refused = await engine.operations.undo(failed.details.operation as number).catch((e: unknown) => e) as FleetError;
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toMatch(/cannot be undone: "cluster" has no compensation$/);
    expect(refused.hint).toContain(`fleetdeck ops resume ${failed.details.operation as number}`);
    delete process.env.FAKE_TOOL_FAIL;
    const finished = await engine.operations.resume(failed.details.operation as number);
    expect(finished.status).toBe('succeeded');
    const again = await engine.operations.undo(finished.id).catch((e: unknown) => e) as FleetError;
    expect(again.code).toBe('CONFLICT');
    expect((await engine.operations.show(finished.id)).status).toBe('succeeded');
    expect(await engine.inventory.list()).toEqual([]);

    await fleet.ports.git.ensureBranch(await template('legacy'));
    await engine.inventory.remove('template');
    const { operation } = await services.drift.apply((await services.drift.plan()).id);
    await expect(engine.operations.undo(operation!.id)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/cannot be undone: "archive_branch legacy", "mark plan plan-[0-9a-f]{8} applied" have no compensation$/) });
    const audit = await engine.db.query<{ action: string; result: string }>("SELECT action, result FROM audit_log WHERE action = 'ops.undo' ORDER BY id");
    expect(audit.rows.map((r) => r.result)).toEqual(['failed', 'failed', 'failed']);
  });
});
