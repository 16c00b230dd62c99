import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../../core/dr/dr-service.js';
import { FleetError } from '../../../../core/errors.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, startHookServer, type HookServer } from './support.js';

const actor = { user: 'ana', host: 'jumpbox' };
const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };

describe('the DR executor (PGlite)', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let dr: DrService;

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    dr = new DrService({ db: test.db, actor, readonly: false, kube: noKube });
  });
  afterAll(async () => { await hooks?.close(); await test?.close(); });

  it('runs a DAG in dependency order, at most `parallelism` at once, and records every action', async () => {
    hooks.delay.set('/b', 150).set('/c', 150).set('/d', 150);
    const u = hooks.url;
    await dr.apply(planYaml('dag', [
      httpAction('a', u),
      httpAction('b', u, { dependsOn: ['a'] }), httpAction('c', u, { dependsOn: ['a'] }), httpAction('d', u, { dependsOn: ['a'] }),
      httpAction('e', u, { dependsOn: ['b', 'c', 'd'] }),
    ]), 'dag.yaml');
    const started = await dr.startExecute('dag');
    const outcome = await dr.run(started.id, { parallelism: 2 });
    expect(outcome.execution.phase).toBe('Succeeded');
    expect(hooks.order[0]).toBe('/a');
    expect(hooks.order.at(-1)).toBe('/e');
    const view = await dr.status(started.id);
    expect(view.actions.map((a) => [a.action, a.phase, a.attempts])).toEqual([
      ['a', 'Succeeded', 1], ['b', 'Succeeded', 1], ['c', 'Succeeded', 1], ['d', 'Succeeded', 1], ['e', 'Succeeded', 1],
    ]);
    expect(view.actions[0]!.outputs.httpResponse).toEqual({ statusCode: 200, body: '{"path":"/a"}' });
    // b, c, d with parallelism 2: the third starts only after one of the first two finished.
    const t = (n: string): { s: number; f: number } => { const a = view.actions.find((x) => x.action === n)!; return { s: Date.parse(a.startedAt!), f: Date.parse(a.finishedAt!) }; };
    const [first, second, third] = ['b', 'c', 'd'].map(t).sort((x, y) => x.s - y.s);
    expect(third!.s).toBeGreaterThanOrEqual(Math.min(first!.f, second!.f));
  });

  it('refuses a second execution of a plan while one is active, naming it', async () => {
    await dr.apply(planYaml('solo', [httpAction('x', hooks.url)]), 'solo.yaml');
    const first = await dr.startExecute('solo');
    await expect(dr.startExecute('solo')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(first.id) });
    await dr.run(first.id);
    const again = await dr.startExecute('solo');
    expect(again.id).not.toBe(first.id);
    await dr.cancel(again.id);
    expect((await dr.status(again.id)).phase).toBe('Cancelled');
  });

  it('stops at a failure (FailFast), then a Revert undoes the succeeded actions in reverse order', async () => {
    hooks.status.set('/check', 503);
    const u = hooks.url;
    const undo = (name: string) => ({ name: `undo-${name}`, type: 'HTTP' as const, http: { url: `${u}/undo-${name}`, method: 'POST' as const } });
    await dr.apply(planYaml('half', [
      httpAction('one', u, { rollback: undo('one') }), httpAction('two', u, { rollback: undo('two') }), httpAction('three', u),
      httpAction('check', u, { retryPolicy: { limit: 1, interval: '10ms' } }), httpAction('never', u, { rollback: undo('never') }),
    ]), 'half.yaml');
    const exec = await dr.startExecute('half');
    const outcome = await dr.run(exec.id);
    expect(outcome.execution.phase).toBe('Failed');
    const view = await dr.status(exec.id);
    expect(view.actions.map((a) => [a.action, a.phase])).toEqual([['one', 'Succeeded'], ['two', 'Succeeded'], ['three', 'Succeeded'], ['check', 'Failed'], ['never', 'Skipped']]);
    const check = view.actions[3]!;
    expect(check.attempts).toBe(2);
    expect(check.outputs.httpResponse?.statusCode).toBe(503);
    expect(check.error).toContain('503');

    hooks.order.length = 0;
    const revert = await dr.startRevert(exec.id);
    const reverted = await dr.run(revert.id);
    expect(reverted.execution.phase).toBe('Succeeded');
    expect(hooks.order).toEqual(['/undo-two', '/undo-one']);
    const revertView = await dr.status(revert.id);
    expect(revertView.actions.map((a) => [a.action, a.phase])).toEqual([['three', 'Skipped'], ['two', 'Succeeded'], ['one', 'Succeeded']]);
    const after = await dr.status(exec.id);
    // HTTP without a rollback has no inverse: it stays Succeeded.
    expect(after.actions.map((a) => a.phase)).toEqual(['RolledBack', 'RolledBack', 'Succeeded', 'Failed', 'Skipped']);
  });

  it('skips an action whose when is false and runs its dependents', async () => {
    const u = hooks.url;
    await dr.apply(planYaml('cond', [
      httpAction('probe', u),
      httpAction('maybe', u, { dependsOn: ['probe'], when: "{{ .outputs.probe.phase == 'Failed' }}" }),
      httpAction('after', u, { dependsOn: ['maybe'] }),
    ]), 'cond.yaml');
    const exec = await dr.startExecute('cond');
    expect((await dr.run(exec.id)).execution.phase).toBe('Succeeded');
    expect((await dr.status(exec.id)).actions.map((a) => a.phase)).toEqual(['Succeeded', 'Skipped', 'Succeeded']);
  });
});
