import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { openTestEngine } from '../../support/engine.js';
import { killAt } from './support/crash.js';
import { openTestFleet, type TestFleet } from './support/test-fleet.js';
import { wire } from './support/wire.js';

const STEPS = ['cluster', 'portainer', 'argocd', 'haproxy', 'git-branch', 'inventory'];
const POINTS = STEPS.flatMap((step) => [`${step}:before`, `${step}:after`]);

describe('env.delete killed with kill -9 at every step boundary and mid-step', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let url: string | null;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, url, close: closeEngine } = await openTestEngine('postgres'));
    services = wire(engine, fleet.ports);
    await services.lifecycle.create('dev', 'kind');
  });
  afterEach(async () => {
    await closeEngine();
    await fleet.close();
  });

  it.each(POINTS)('resumes after a kill at %s: everything gone, drift clean', async (pause) => {
    const op = await killAt(engine, url!, fleet.setup, { mode: 'delete', name: 'dev', provider: 'kind', pause });
    expect(op.status).toBe('succeeded');
    expect(op.warnings).toEqual([]);
    expect((await services.drift.scan()).items).toEqual([]);
    expect(await engine.inventory.list()).toEqual([]);
    expect(fleet.tools.state().kind).toEqual({});
    expect([...fleet.portainer.endpoints.values()].filter((e) => e.Name === 'dev')).toEqual([]);
    expect(await fleet.branches()).toEqual(['devops', 'main']);
  }, 120_000);
});
