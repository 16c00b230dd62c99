import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { openTestEngine } from '../../support/engine.js';
import { killAt, type CrashJob } from './support/crash.js';
import { openTestFleet, type TestFleet } from './support/test-fleet.js';
import { wire } from './support/wire.js';

const STEPS = ['validate', 'inventory', 'git-branch', 'cluster', 'portainer', 'argocd', 'haproxy'];
const POINTS = STEPS.flatMap((step) => [`${step}:before`, `${step}:after`]);
/** Effects killed while they run: the push of the branch, the provider CLI creating the cluster, the HAProxy reload. */
const EFFECTS = (['git push', 'provider create', 'haproxy reload'] as const).flatMap((effect) => (['k3d', 'kind'] as const).map((provider) => [effect, provider] as const));

describe('env.create killed with kill -9 at every step boundary and in the middle of its effects', () => {
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

  /** After the resume: drift is clean, every part exists once, and the create is in the audit log. */
  async function expectCreatedOnce(provider: 'k3d' | 'kind'): Promise<void> {
    expect((await services.drift.scan()).items).toEqual([]);
    expect((await engine.inventory.list()).map((c) => c.name)).toEqual(['dev']);
    expect(Object.keys(fleet.tools.state()[provider])).toEqual(['dev']);
    expect((await fleet.ports.providers[provider].list()).map((c) => [c.name, c.status])).toEqual([['dev', 'running']]);
    expect(fleet.portainer.requests.filter((r) => r.startsWith('POST /api/endpoints'))).toHaveLength(1);
    expect((await fleet.ports.registrars.argocd.list()).map((r) => r.name)).toEqual(['dev']);
    expect((await fleet.ports.registrars.haproxy.list()).map((r) => r.name)).toEqual(['dev']);
    // A reload killed half-way is redone on resume: HAProxy runs the file as it is now.
    expect(fleet.haproxyRunsCurrentConfig()).toBe(true);
    expect(await fleet.branches()).toEqual(['dev', 'devops', 'main']);
    const audit = await engine.db.query<{ result: string }>("SELECT result FROM audit_log WHERE action = 'env.create' AND target = 'dev'");
    expect(audit.rows).toEqual([{ result: 'ok' }]);
  }

  it.each(POINTS)('resumes after a kill at %s: drift clean, nothing created twice', async (pause) => {
    const op = await killAt(engine, url!, fleet.setup, { mode: 'create', name: 'dev', provider: 'k3d', pause });
    expect(op.status).toBe('succeeded');
    await expectCreatedOnce('k3d');
    expect(fleet.tools.calls().filter((c) => c[1] === 'cluster' && c[2] === 'create')).toHaveLength(1);
  }, 120_000);

  it.each(EFFECTS)('resumes after a kill during the %s (%s): drift clean, nothing twice', async (effect, provider) => {
    let job: CrashJob = { mode: 'create', name: 'dev', provider };
    let setup = fleet.setup;
    let resume = (): void => undefined;
    if (effect === 'provider create') {
      ({ setup, marker: job.marker } = fleet.pausingTools(provider === 'k3d' ? 'k3d cluster create' : 'kind create cluster'));
    } else {
      const paused = fleet.pause(effect === 'git push' ? 'git' : 'haproxy');
      job = { ...job, marker: paused.marker };
      resume = paused.resume;
    }
    const killed = await killAt(engine, url!, setup, job, 'none');
    resume();
    const interrupted = { 'git push': 'git-branch', 'provider create': 'cluster', 'haproxy reload': 'haproxy' }[effect];
    expect(killed.steps.find((s) => s.status === 'started')?.name).toBe(interrupted);
    if (effect === 'provider create') expect((await fleet.ports.providers[provider].list())[0]?.status).toBe('stopped');
    const op = await engine.operations.resume(killed.id);
    expect(op.status).toBe('succeeded');
    await expectCreatedOnce(provider);
  }, 120_000);
});
