import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import { FleetError } from '../../../core/errors.js';
import { openTestEngine } from '../../support/engine.js';
import type { Engine } from '../../../core/engine.js';
import { openTestFleet, type TestFleet } from './support/test-fleet.js';
import { wire } from './support/wire.js';

describe('environment lifecycle against real parts', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, close: closeEngine } = await openTestEngine('postgres'));
    services = wire(engine, fleet.ports);
  });
  afterEach(async () => {
    await closeEngine();
    await fleet.close();
  });

  it('creates an environment in the seed order and leaves no drift', async () => {
    const op = await services.lifecycle.create('dev-k3d', 'k3d');
    expect(op.status).toBe('succeeded');
    expect(op.steps.map((s) => s.name)).toEqual(['validate', 'inventory', 'git-branch', 'cluster', 'portainer', 'argocd', 'haproxy']);
    const row = await engine.inventory.show('dev-k3d');
    expect(await fleet.branches()).toEqual(['dev-k3d', 'devops', 'main']);
    expect(Object.keys(fleet.tools.state().k3d)).toEqual(['dev-k3d']);
    expect([...fleet.portainer.endpoints.values()].map((e) => e.Name)).toContain('dev-k3d');
    expect(readFileSync(fleet.setup.haproxyConfig, 'utf8')).toContain(`server dev-k3d 127.0.0.1:${row.httpPort}`);
    expect((await fleet.ports.registrars.argocd.list()).map((r) => r.name)).toEqual(['dev-k3d']);
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('honours register_portainer and haproxy_route, and creates kind clusters too', async () => {
    await services.lifecycle.create('uat', 'kind', { registerPortainer: false, haproxyRoute: false });
    expect(Object.keys(fleet.tools.state().kind)).toEqual(['uat']);
    expect([...fleet.portainer.endpoints.values()].map((e) => e.Name)).not.toContain('uat');
    expect(await fleet.ports.registrars.haproxy.list()).toEqual([]);
    expect((await fleet.ports.registrars.argocd.list())[0]).toMatchObject({ name: 'uat', target: 'https://127.0.0.1:41234' });
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('refuses bad input before writing anything', async () => {
    await expect(services.lifecycle.create('Bad_Name', 'k3d')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(services.lifecycle.create('ok', 'docker')).rejects.toMatchObject({ code: 'VALIDATION' });
    await services.lifecycle.create('dev', 'kind');
    await expect(services.lifecycle.create('dev', 'k3d')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await engine.inventory.list()).map((c) => c.name)).toEqual(['dev']);
    expect((await engine.operations.list()).length).toBe(1);
  });

  it('stops at a failing step with resume and undo commands; undo removes every part', async () => {
    const failing = wire(engine, fleet.ports, { checkpoint: async (step, phase) => {
      if (step === 'portainer' && phase === 'before') fleet.portainer.failNext(503, 1);
    } });
    const error = await failing.lifecycle.create('prod', 'k3d').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    const id = (error as FleetError).details.operation as number;
    expect((error as FleetError).hint).toContain(`fleetdeck ops resume ${id}`);
    expect(Object.keys(fleet.tools.state().k3d)).toEqual(['prod']);
    const undone = await engine.operations.undo(id);
    expect(undone.status).toBe('undone');
    expect(await engine.inventory.list()).toEqual([]);
    expect(await fleet.branches()).toEqual(['devops', 'main']);
    expect(fleet.tools.state().k3d).toEqual({});
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('deletes cluster, registrations, branch and then the row', async () => {
    await services.lifecycle.create('dev', 'k3d');
    const op = await services.lifecycle.delete('dev');
    expect(op.status).toBe('succeeded');
    expect(op.steps.map((s) => s.name)).toEqual(['cluster', 'portainer', 'argocd', 'haproxy', 'git-branch', 'inventory']);
    expect(fleet.tools.state().k3d).toEqual({});
    expect(await fleet.branches()).toEqual(['devops', 'main']);
    expect(await fleet.ports.registrars.haproxy.list()).toEqual([]);
    expect(await fleet.ports.registrars.argocd.list()).toEqual([]);
    expect(await engine.inventory.list()).toEqual([]);
    await expect(services.lifecycle.delete('dev')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('turns a Git failure during delete into a warning, then into drift that repair clears', async () => {
    await services.lifecycle.create('dev', 'k3d');
    const realDelete = fleet.ports.git.deleteBranch.bind(fleet.ports.git);
    fleet.ports.git.deleteBranch = async () => {
      throw new FleetError('UNAVAILABLE', 'the Git remote answered 503', 'Check the Git service.');
    };
    const op = await services.lifecycle.delete('dev');
    fleet.ports.git.deleteBranch = realDelete;
    expect(op.status).toBe('succeeded');
    expect(op.warnings).toEqual(['git-branch: the Git remote answered 503']);
    expect(await engine.inventory.list()).toEqual([]);
    const report = await services.drift.scan();
    expect(report.items.map((i) => i.id)).toEqual(['orphan_branch:dev']);
    const plan = await services.drift.plan();
    await services.drift.apply(plan.id);
    expect((await fleet.branches()).filter((b) => b.startsWith('archive/dev-'))).toHaveLength(1);
    expect(await fleet.branches()).not.toContain('dev');
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('writes audit entries for create and delete', async () => {
    await services.lifecycle.create('dev', 'kind');
    await services.lifecycle.delete('dev');
    const audit = await engine.db.query<{ action: string; target: string; result: string }>('SELECT action, target, result FROM audit_log ORDER BY id');
    expect(audit.rows).toEqual(expect.arrayContaining([
      { action: 'env.create', target: 'dev', result: 'ok' }, { action: 'env.delete', target: 'dev', result: 'ok' }]));
  });
});

describe('environment lifecycle on the embedded database', () => {
  it('creates and deletes with no drift left', async () => {
    const fleet = await openTestFleet();
    const { engine, close } = await openTestEngine('pglite');
    try {
      const services = wire(engine, fleet.ports);
      expect((await services.lifecycle.create('dev', 'k3d')).status).toBe('succeeded');
      expect((await services.drift.scan()).items).toEqual([]);
      expect((await services.lifecycle.delete('dev')).status).toBe('succeeded');
      expect((await services.drift.scan()).items).toEqual([]);
    } finally {
      await close();
      await fleet.close();
    }
  }, 120_000);
});
