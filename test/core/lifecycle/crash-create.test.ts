import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { openTestEngine } from '../../support/engine.js';
import { killAt } from './support/crash.js';
import { openTestFleet, type TestFleet } from './support/test-fleet.js';
import { wire } from './support/wire.js';

const STEPS = ['validate', 'inventory', 'git-branch', 'cluster', 'portainer', 'argocd', 'haproxy'];
const POINTS = STEPS.flatMap((step) => [`${step}:before`, `${step}:after`]);

describe('env.create killed with kill -9 at every step boundary and mid-step', () => {
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

  it.each(POINTS)('resumes after a kill at %s: drift clean, nothing created twice', async (pause) => {
    const op = await killAt(engine, url!, fleet.setup, { mode: 'create', name: 'dev', provider: 'k3d', pause });
    expect(op.status).toBe('succeeded');
    expect((await services.drift.scan()).items).toEqual([]);
    expect((await engine.inventory.list()).map((c) => c.name)).toEqual(['dev']);
    expect(fleet.tools.calls().filter((c) => c[1] === 'cluster' && c[2] === 'create')).toHaveLength(1);
    expect(fleet.portainer.requests.filter((r) => r.startsWith('POST /api/endpoints'))).toHaveLength(1);
    expect((await fleet.ports.registrars.argocd.list()).map((r) => r.name)).toEqual(['dev']);
    expect((await fleet.ports.registrars.haproxy.list()).map((r) => r.name)).toEqual(['dev']);
    expect(await fleet.branches()).toEqual(['dev', 'devops', 'main']);
  }, 120_000);
});
