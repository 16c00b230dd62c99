/** A `drift.repair` operation killed with kill -9 between and inside its steps; `ops resume` finishes it. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { openTestEngine } from '../../support/engine.js';
import { killAt, type CrashJob } from './support/crash.js';
import { openTestFleet, type TestFleet } from './support/test-fleet.js';
import { wire } from './support/wire.js';

const KILLS = ['adopt_cluster scratch (kind):after', 'create_branch uat:after', 'k3d cluster create', 'git push'] as const;

describe('a repair killed with kill -9 and resumed', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let url: string | null;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, url, close: closeEngine } = await openTestEngine('postgres'));
    services = wire(engine, fleet.ports);
    await services.lifecycle.create('dev', 'k3d');
    const uat = (await services.lifecycle.create('uat', 'kind')) && (await engine.inventory.show('uat'));
    await fleet.ports.git.deleteBranch('uat');
    await fleet.ports.providers.k3d.delete('dev');
    await fleet.ports.providers.kind.create({ ...uat, name: 'scratch', pfPort: 61000, httpPort: 61001, httpsPort: 61002 });
  });
  afterEach(async () => {
    await closeEngine();
    await fleet.close();
  });

  it.each(KILLS)('finishes after a kill at %s: drift clean, nothing twice, plan applied', async (kill) => {
    const plan = await services.drift.plan();
    expect(plan.actions.map((a) => a.type)).toEqual(['adopt_cluster', 'create_branch', 'recreate_cluster']);
    let job: CrashJob = { mode: 'repair', name: plan.id, provider: 'k3d' };
    let setup = fleet.setup;
    let resume = (): void => undefined;
    if (kill === 'k3d cluster create') ({ setup, marker: job.marker } = fleet.pausingTools(kill));
    else if (kill === 'git push') ({ marker: job.marker, resume } = fleet.pause('git'));
    else job = { ...job, pause: kill };
    const killed = await killAt(engine, url!, setup, job, 'none');
    resume();
    expect(killed.kind).toBe('drift.repair');
    expect((await services.drift.showPlan(plan.id)).status).toBe('applying');
    const op = await engine.operations.resume(killed.id);
    expect(op.status).toBe('succeeded');

    expect((await services.drift.scan()).items).toEqual([]);
    expect((await services.drift.showPlan(plan.id))).toMatchObject({ status: 'applied', operationId: op.id });
    expect((await engine.inventory.list()).map((c) => c.name)).toEqual(['dev', 'scratch', 'uat']);
    expect(Object.keys(fleet.tools.state().k3d)).toEqual(['dev']);
    expect(Object.keys(fleet.tools.state().kind).sort()).toEqual(['scratch', 'uat']);
    expect((await fleet.ports.providers.k3d.list()).map((c) => c.status)).toEqual(['running']);
    expect(await fleet.branches()).toEqual(['dev', 'devops', 'main', 'scratch', 'uat']);
    expect((await fleet.ports.registrars.argocd.list()).map((r) => r.name)).toEqual(['dev', 'scratch', 'uat']);
    expect([...fleet.portainer.endpoints.values()].filter((e) => e.Type === 4).map((e) => e.Name).sort()).toEqual(['dev', 'scratch', 'uat']);
    const audit = await engine.db.query<{ result: string }>("SELECT result FROM audit_log WHERE action = 'drift.repair'");
    expect(audit.rows).toEqual([{ result: 'ok' }]);
  }, 120_000);
});
