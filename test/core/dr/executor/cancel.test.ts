import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../../core/dr/dr-service.js';
import type { Action } from '../../../../core/dr/schema/types.js';
import { markRunning } from '../../../../core/dr/store/action-statuses.js';
import { claimExecution } from '../../../../core/dr/store/executions.js';
import type { ExecutionView } from '../../../../core/dr/store/types.js';
import { createKubeGateway } from '../../../../core/kube/index.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../../src/sandbox/kube-api/index.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, startHookServer, type HookServer } from './support.js';

const actor = { user: 'ana', host: 'jumpbox' };
/** Short leases, so a runner that "died" is given up on within a second. */
const LEASE_MS = 1000;

const phases = (view: ExecutionView): string[] => view.actions.map((a) => `${a.action}:${a.phase}`);

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('cancelling a running DR execution (PGlite)', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  /** A cluster whose controller is off: a Job created there never completes. */
  let stuck: SandboxCluster;
  let dr: DrService;

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    stuck = await startSandboxCluster({ name: 'devops', controller: false });
    const kube = createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: 'sandbox', url: stuck.url }]), context: 'sandbox' });
    dr = new DrService({ db: test.db, actor, readonly: false, kube: async () => kube, secrets: null, leaseMs: LEASE_MS });
  });
  afterAll(async () => { await stuck?.stop(); await hooks?.close(); await test?.close(); });

  it('stops a running Job action: the execution and the action end Canceled, later actions never run, the plan is free again', async () => {
    const u = hooks.url;
    const job: Action = {
      name: 'wait-job', type: 'Job', dependsOn: ['first'], timeout: '5m',
      job: { namespace: 'default', template: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    };
    await dr.apply(planYaml('live-cancel', [httpAction('first', u), job, httpAction('after', u, { dependsOn: ['wait-job'] })]), 'live-cancel.yaml');
    const exec = await dr.startExecute('live-cancel');
    const running = dr.run(exec.id);
    // The Job exists and its action is Running (it would wait five minutes for a Job that never completes).
    await until('the Job action to run', () => dr.status(exec.id), (v) => v.actions.some((a) => a.action === 'wait-job' && a.phase === 'Running' && a.outputs.jobRef !== undefined));
    const requested = Date.now();
    await dr.cancel(exec.id);
    const outcome = await running;
    expect(Date.now() - requested).toBeLessThan(5_000);
    expect(outcome.execution.phase).toBe('Canceled');
    const view = await dr.status(exec.id);
    expect(view.phase).toBe('Canceled');
    expect(phases(view)).toEqual(['first:Succeeded', 'wait-job:Canceled', 'after:Skipped']);
    expect(view.actions.find((a) => a.action === 'wait-job')!.error).toBe('canceled');
    expect(hooks.hits.get('/first')).toBe(1);
    expect(hooks.hits.get('/after')).toBeUndefined();
    // Nothing holds the plan any more: a new Execute is accepted.
    const again = await dr.startExecute('live-cancel');
    expect(again.id).not.toBe(exec.id);
    expect((await dr.cancel(again.id)).phase).toBe('Canceled');
  });

  /** An execution whose runner took its lease, started `slow` and then died (kill -9): nobody renews the lease. */
  async function abandonedMidAction(plan: string): Promise<string> {
    const u = hooks.url;
    await dr.apply(planYaml(plan, [httpAction(`${plan}-slow`, u), httpAction(`${plan}-after`, u, { dependsOn: [`${plan}-slow`] })]), `${plan}.yaml`);
    const exec = await dr.startExecute(plan);
    expect(await claimExecution(test.db, exec.id, 'dead-runner', LEASE_MS)).not.toBeNull();
    await markRunning(test.db, { executionId: exec.id, holder: 'dead-runner' }, { stage: 'main', workflow: `default/${plan}`, action: `${plan}-slow` });
    return exec.id;
  }

  it('cancel of an execution whose runner died: requested while its lease may still be alive, finished by cancel itself once it expired', async () => {
    const id = await abandonedMidAction('dead-cancel');
    // Within the lease, nobody can tell a dead runner from a slow one: the request is recorded, the plan stays busy.
    const requested = await dr.cancel(id);
    expect(requested).toMatchObject({ phase: 'Running', cancelRequested: true, leaseHolder: 'dead-runner' });
    await expect(dr.startExecute('dead-cancel')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(id) });
    // Waiting for the runner: when its lease expires, cancel takes the execution over and finishes it.
    const started = Date.now();
    const canceled = await dr.cancel(id, { waitMs: 10_000 });
    expect(canceled.phase).toBe('Canceled');
    expect(canceled.leaseHolder).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    const view = await dr.status(id);
    expect(phases(view)).toEqual(['dead-cancel-slow:Canceled', 'dead-cancel-after:Skipped']);
    // Nothing ran in this process: the slow call is not repeated, the next action never starts.
    expect(hooks.hits.get('/dead-cancel-slow')).toBeUndefined();
    expect(hooks.hits.get('/dead-cancel-after')).toBeUndefined();
    expect(await dr.orphaned()).not.toContain(id);
    const again = await dr.startExecute('dead-cancel');
    await dr.cancel(again.id);
  });

  it('a cancel requested after the runner died is finished by the resume (daemon or `dr resume`), which runs nothing', async () => {
    const id = await abandonedMidAction('dead-resume');
    hooks.delay.set('/dead-resume-slow', 3000);
    expect((await dr.cancel(id)).phase).toBe('Running');
    // Once the lease has expired the execution is orphaned; resuming it (no steal) completes the cancellation.
    await until('the lease to expire', () => dr.orphaned(), (ids) => ids.includes(id));
    const outcome = await dr.run(id);
    expect(outcome).toMatchObject({ ran: true, execution: { phase: 'Canceled' } });
    expect(phases(await dr.status(id))).toEqual(['dead-resume-slow:Canceled', 'dead-resume-after:Skipped']);
    expect(hooks.hits.get('/dead-resume-slow')).toBeUndefined();
    expect(hooks.hits.get('/dead-resume-after')).toBeUndefined();
  });

  it('cancel says so when the execution had already finished, and changes nothing', async () => {
    await dr.apply(planYaml('done-early', [httpAction('done-early-a', hooks.url)]), 'done-early.yaml');
    const exec = await dr.startExecute('done-early');
    expect((await dr.run(exec.id)).execution.phase).toBe('Succeeded');
    const after = await dr.cancel(exec.id, { waitMs: 1000 });
    expect(after).toMatchObject({ phase: 'Succeeded', cancelRequested: false });
  });
});
