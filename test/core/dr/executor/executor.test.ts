import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../../core/dataplane/secret-box.js';
import { DrService } from '../../../../core/dr/dr-service.js';
import { LeaseLostError, markRunning } from '../../../../core/dr/store/action-statuses.js';
import { claimExecution, insertExecution } from '../../../../core/dr/store/executions.js';
import { FleetError } from '../../../../core/errors.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, stagedPlanYaml, startHookServer, TEST_SECRET_KEY, type HookServer } from './support.js';

const actor = { user: 'ana', host: 'jumpbox' };
const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };

describe('the DR executor (PGlite)', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let dr: DrService;

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    dr = new DrService({ db: test.db, actor, readonly: false, kube: noKube, secrets: SecretBox.fromKey(TEST_SECRET_KEY) });
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
    expect((await dr.status(again.id)).phase).toBe('Canceled');
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

  it('runs one workflow twice in a stage with different parameters; each run keeps its own statuses, outputs and rollback', async () => {
    const u = hooks.url;
    hooks.order.length = 0;
    await dr.apply(stagedPlanYaml('regions', [{
      name: 'ping', parameters: [{ name: 'region', default: 'none' }],
      actions: [{ name: 'ping', type: 'HTTP', http: { url: `${u}/ping-{{ .params.region }}`, method: 'POST' }, rollback: { name: 'unping', type: 'HTTP', http: { url: `${u}/unping-{{ .params.region }}`, method: 'POST' } } },
        { name: 'echo', type: 'HTTP', dependsOn: ['ping'], http: { url: `${u}/echo-{{ .params.region }}-{{ .outputs.ping.httpResponse.statusCode }}`, method: 'POST' } }],
    }], [{ name: 'fan', parallel: true, workflows: [{ name: 'ping', params: { region: 'east' } }, { name: 'ping', params: { region: 'west' } }] }]), 'regions.yaml');
    const exec = await dr.startExecute('regions');
    expect((await dr.run(exec.id)).execution.phase).toBe('Succeeded');
    const view = await dr.status(exec.id);
    expect(view.actions.map((a) => `${a.workflow} ${a.action} ${a.phase}`).sort()).toEqual([
      'default/ping echo Succeeded', 'default/ping ping Succeeded', 'default/ping#2 echo Succeeded', 'default/ping#2 ping Succeeded',
    ]);
    for (const path of ['/ping-east', '/ping-west', '/echo-east-200', '/echo-west-200']) expect(hooks.hits.get(path)).toBe(1);
    // BCS's shape: one stage, two workflow executions of the same workflow, each with its actions.
    const [stage] = view.status.stageStatuses!;
    expect(stage!.workflowExecutions!.map((w) => [w.workflowRef.name, w.key, w.phase, w.actionStatuses!.map((a) => `${a.name}:${a.phase}:${a.retryCount}`)])).toEqual([
      ['ping', 'default/ping', 'Succeeded', ['ping:Succeeded:0', 'echo:Succeeded:0']],
      ['ping', 'default/ping#2', 'Succeeded', ['ping:Succeeded:0', 'echo:Succeeded:0']],
    ]);
    expect(view.status.summary).toMatchObject({ totalStages: 1, completedStages: 1, totalWorkflows: 2, completedWorkflows: 2 });
    const revert = await dr.startRevert(exec.id);
    expect((await dr.run(revert.id)).execution.phase).toBe('Succeeded');
    expect(hooks.hits.get('/unping-east')).toBe(1);
    expect(hooks.hits.get('/unping-west')).toBe(1);
  });

  it('never re-runs a rollback that succeeded, and refuses a second revert of a fully reverted Execute', async () => {
    const u = hooks.url;
    hooks.status.set('/stop', 503);
    hooks.status.set('/undo-b', 500);
    const undo = (name: string) => ({ name: `undo-${name}`, type: 'HTTP' as const, http: { url: `${u}/undo-${name}`, method: 'POST' as const } });
    await dr.apply(planYaml('twice', [httpAction('a', u, { rollback: undo('a') }), httpAction('b', u, { rollback: undo('b') }), httpAction('stop', u)]), 'twice.yaml');
    const exec = await dr.startExecute('twice');
    expect((await dr.run(exec.id)).execution.phase).toBe('Failed');
    // The first Revert undoes a but fails on b.
    const first = await dr.startRevert(exec.id);
    expect((await dr.run(first.id)).execution.phase).toBe('Failed');
    expect([hooks.hits.get('/undo-a'), hooks.hits.get('/undo-b')]).toEqual([1, 1]);
    // The second undoes only b: a's rollback succeeded already and is not in it.
    hooks.status.set('/undo-b', 200);
    const second = await dr.startRevert(exec.id);
    expect((await dr.status(second.id)).actions.map((a) => a.action)).toEqual(['b']);
    expect((await dr.run(second.id)).execution.phase).toBe('Succeeded');
    expect([hooks.hits.get('/undo-a'), hooks.hits.get('/undo-b')]).toEqual([1, 2]);
    expect((await dr.status(exec.id)).actions.map((a) => a.phase)).toEqual(['RolledBack', 'RolledBack', 'Failed']);
    // A third is refused, naming the Revert that finished the job; nothing runs.
    await expect(dr.startRevert(exec.id)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining(`already reverted by ${second.id}`) });
    expect([hooks.hits.get('/undo-a'), hooks.hits.get('/undo-b')]).toEqual([1, 2]);
    expect((await dr.status(exec.id)).reverts.map((r) => [r.id, r.phase, r.automatic])).toEqual([[first.id, 'Failed', false], [second.id, 'Succeeded', false]]);
  });

  it('rolls a failed Execute back at once when the plan says rollbackOnFailure', async () => {
    const u = hooks.url;
    hooks.order.length = 0;
    hooks.status.set('/verify', 503);
    const undo = (name: string) => ({ name: `undo-${name}`, type: 'HTTP' as const, http: { url: `${u}/auto-undo-${name}`, method: 'POST' as const } });
    await dr.apply(stagedPlanYaml('auto', [{ name: 'auto', actions: [
      httpAction('prepare', u, { rollback: undo('prepare') }), httpAction('switch', u, { rollback: undo('switch') }), httpAction('verify', u), httpAction('finish', u),
    ] }], [{ name: 'main', workflows: [{ name: 'auto' }] }], { rollbackOnFailure: true }), 'auto.yaml');
    const exec = await dr.startExecute('auto');
    const outcome = await dr.run(exec.id);
    expect(outcome.execution.phase).toBe('Failed');
    expect(outcome.ran && outcome.revert?.phase).toBe('Succeeded');
    expect(hooks.order).toEqual(['/prepare', '/switch', '/verify', '/auto-undo-switch', '/auto-undo-prepare']);
    const view = await dr.status(exec.id);
    expect(view.actions.map((a) => a.phase)).toEqual(['RolledBack', 'RolledBack', 'Failed', 'Skipped']);
    expect(view.reverts).toEqual([{ id: outcome.ran ? outcome.revert?.id : '', phase: 'Succeeded', automatic: true }]);
    expect(view.message).toBe(`verify failed; rolled back automatically by ${outcome.ran ? outcome.revert?.id : ''} (rollbackOnFailure)`);
  });

  it('fences status writes on the lease: a runner that lost it stops and overwrites nothing', async () => {
    const u = hooks.url;
    hooks.delay.set('/fenced-slow', 700);
    await dr.apply(planYaml('fenced', [httpAction('fenced-slow', u), httpAction('fenced-after', u)]), 'fenced.yaml');
    const exec = await dr.startExecute('fenced');
    const a = dr.run(exec.id, { holder: 'runner-a', leaseMs: 60_000 });
    await new Promise((r) => setTimeout(r, 250));
    // Another process takes the execution over while runner A waits for its slow action.
    expect(await claimExecution(test.db, exec.id, 'runner-b', 60_000, true)).not.toBeNull();
    await expect(markRunning(test.db, { executionId: exec.id, holder: 'runner-a' }, { stage: 'main', workflow: 'default/fenced', action: 'fenced-after' })).rejects.toBeInstanceOf(LeaseLostError);
    const lost = await a;
    expect(lost.ran).toBe(false);
    const between = await dr.status(exec.id);
    // A's finish of "slow" and its start of "after" never landed.
    expect(between.actions.map((x) => [x.action, x.phase, x.attempts])).toEqual([['fenced-slow', 'Running', 1], ['fenced-after', 'Pending', 0]]);
    expect(hooks.hits.get('/fenced-after')).toBeUndefined();
    expect(between.leaseHolder).toBe('runner-b');
    const b = await dr.run(exec.id, { holder: 'runner-b' });
    expect(b.execution.phase).toBe('Succeeded');
    expect(hooks.hits.get('/fenced-after')).toBe(1);
  });

  it('calls only the one-active index "busy"; any other unique violation is not disguised as one', async () => {
    await dr.apply(planYaml('dup', [httpAction('x', hooks.url)]), 'dup.yaml');
    const first = await dr.startExecute('dup');
    await dr.cancel(first.id);
    const again = { id: first.id, planNamespace: 'default', planName: 'other', kind: 'Execute' as const, params: {}, snapshot: { plan: {} as never, workflows: [] }, parentId: null, actor: 't', actions: [] };
    const error = await insertExecution(test.db, again).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(FleetError);
    expect((error as { constraint?: string }).constraint).toBe('dr_executions_pkey');
  });
});
