import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { openTestEngine } from '../../support/engine.js';
import { killAt, type CrashJob } from './support/crash.js';
import { openTestFleet, type TestFleet } from './support/test-fleet.js';
import { wire } from './support/wire.js';

const STEPS = ['cluster', 'portainer', 'argocd', 'haproxy', 'git-branch', 'inventory'];
const POINTS = STEPS.flatMap((step) => [`${step}:before`, `${step}:after`]);
/** Effects killed while they run: the provider CLI deleting the cluster, the HAProxy reload, the push deleting the branch. */
const EFFECTS = (['provider delete', 'haproxy reload', 'git push'] as const).flatMap((effect) => (['k3d', 'kind'] as const).map((provider) => [effect, provider] as const));

describe('env.delete killed with kill -9 at every step boundary and in the middle of its effects', () => {
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
    await closeEngine();
    await fleet.close();
  });

  async function expectAllGone(provider: 'k3d' | 'kind'): Promise<void> {
    expect((await services.drift.scan()).items).toEqual([]);
    expect(await engine.inventory.list()).toEqual([]);
    expect(fleet.tools.state()[provider]).toEqual({});
    expect([...fleet.portainer.endpoints.values()].filter((e) => e.Name === 'dev')).toEqual([]);
    expect(await fleet.ports.registrars.argocd.list()).toEqual([]);
    expect(await fleet.ports.registrars.haproxy.list()).toEqual([]);
    // A reload killed half-way is redone on resume: HAProxy runs the file as it is now.
    expect(fleet.haproxyRunsCurrentConfig()).toBe(true);
    expect(await fleet.branches()).toEqual(['devops', 'main']);
    const audit = await engine.db.query<{ result: string }>("SELECT result FROM audit_log WHERE action = 'env.delete' AND target = 'dev'");
    expect(audit.rows).toEqual([{ result: 'ok' }]);
  }

  it.each(POINTS)('resumes after a kill at %s: everything gone, drift clean', async (pause) => {
    await services.lifecycle.create('dev', 'kind');
    const op = await killAt(engine, url!, fleet.setup, { mode: 'delete', name: 'dev', provider: 'kind', pause });
    expect(op.status).toBe('succeeded');
    expect(op.warnings).toEqual([]);
    await expectAllGone('kind');
  }, 120_000);

  it.each(EFFECTS)('resumes after a kill during the %s (%s): everything gone, drift clean', async (effect, provider) => {
    await services.lifecycle.create('dev', provider);
    let job: CrashJob = { mode: 'delete', name: 'dev', provider };
    let setup = fleet.setup;
    let resume = (): void => undefined;
    if (effect === 'provider delete') {
      ({ setup, marker: job.marker } = fleet.pausingTools(provider === 'k3d' ? 'k3d cluster delete' : 'kind delete cluster'));
    } else {
      const paused = fleet.pause(effect === 'git push' ? 'git' : 'haproxy');
      job = { ...job, marker: paused.marker };
      resume = paused.resume;
    }
    const killed = await killAt(engine, url!, setup, job, 'none');
    resume();
    const interrupted = { 'provider delete': 'cluster', 'haproxy reload': 'haproxy', 'git push': 'git-branch' }[effect];
    expect(killed.steps.find((s) => s.status === 'started')?.name).toBe(interrupted);
    const op = await engine.operations.resume(killed.id);
    expect(op.status).toBe('succeeded');
    expect(op.warnings).toEqual([]);
    await expectAllGone(provider);
  }, 120_000);
});
