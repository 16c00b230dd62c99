import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../../core/dr/dr-service.js';
import { FleetError } from '../../../../core/errors.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, startHookServer, type HookServer } from './support.js';

const WORKER = join(process.cwd(), 'dist/test/support/workers/dr-worker.js');
const actor = { user: 'ana', host: 'jumpbox' };
const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };
const ACTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

describe('DR executions across processes (PostgreSQL)', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let dr: DrService;

  beforeAll(async () => {
    test = await openTestDatabase('postgres');
    hooks = await startHookServer();
    dr = new DrService({ db: test.db, actor, readonly: false, kube: noKube });
    const u = hooks.url;
    for (const [i, name] of ACTIONS.entries()) hooks.delay.set(`/${name}`, 10 + (i % 3) * 15);
    await dr.apply(planYaml('crashy', [
      httpAction('a', u), httpAction('b', u, { dependsOn: ['a'] }), httpAction('c', u, { dependsOn: ['a'] }), httpAction('d', u, { dependsOn: ['a'] }),
      httpAction('e', u, { dependsOn: ['b'] }), httpAction('f', u, { dependsOn: ['c', 'd'] }), httpAction('g', u, { dependsOn: ['e', 'f'] }), httpAction('h', u, { dependsOn: ['g'] }),
    ]), 'crashy.yaml');
    await dr.apply(planYaml('contested', [httpAction('only', u)]), 'contested.yaml');
  });
  afterAll(async () => { await hooks?.close(); await test?.close(); });

  it('lets exactly one of two processes start an execution of the same plan; the other is told which one runs', async () => {
    for (let round = 0; round < 4; round += 1) {
      const arg = JSON.stringify({ url: test.url, mode: 'start', plan: 'contested' });
      const results = await Promise.all([execa('node', [WORKER, arg]), execa('node', [WORKER, arg])]);
      const parsed = results.map((r) => JSON.parse(r.stdout) as { id?: string; code?: string; message?: string });
      const winners = parsed.filter((p) => p.id);
      const losers = parsed.filter((p) => p.code);
      expect(winners).toHaveLength(1);
      expect(losers).toEqual([{ code: 'CONFLICT', message: expect.stringContaining(winners[0]!.id!) }]);
      await dr.cancel(winners[0]!.id!);
    }
  }, 120_000);

  it('survives the executor being killed at random points: no succeeded action runs twice, no status lost', async () => {
    const trials = 50;
    let killedMidway = 0;
    for (let trial = 0; trial < trials; trial += 1) {
      hooks.hits.clear();
      const exec = await dr.startExecute('crashy');
      const child = execa('node', [WORKER, JSON.stringify({ url: test.url, mode: 'run', id: exec.id })], { reject: false });
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, Math.random() * 250));
      child.kill('SIGKILL');
      await child;
      const before = await dr.status(exec.id);
      const succeededBefore = before.actions.filter((a) => a.phase === 'Succeeded').map((a) => a.action);
      if (before.phase !== 'Succeeded') killedMidway += 1;
      const hitsBefore = new Map(hooks.hits);
      const outcome = await dr.run(exec.id, { steal: true });
      const after = await dr.status(exec.id);
      expect(outcome.execution.phase).toBe('Succeeded');
      expect(after.actions.map((a) => [a.action, a.phase])).toEqual(ACTIONS.map((n) => [n, 'Succeeded']));
      for (const name of succeededBefore) expect({ trial, name, hits: hooks.hits.get(`/${name}`) }).toEqual({ trial, name, hits: hitsBefore.get(`/${name}`) });
      for (const name of ACTIONS) expect(hooks.hits.get(`/${name}`) ?? 0).toBeGreaterThanOrEqual(1);
    }
    // The kills must actually land mid-run for the test to mean anything.
    expect(killedMidway).toBeGreaterThan(trials / 4);
  }, 600_000);
});
