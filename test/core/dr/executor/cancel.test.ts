import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../../core/dr/dr-service.js';
import type { Action } from '../../../../core/dr/schema/types.js';
import { withMark } from '../../../../core/dr/actions/ownership.js';
import { jobNameFor } from '../../../../core/dr/render/outputs.js';
import { markRunning, recordOutputs } from '../../../../core/dr/store/action-statuses.js';
import { claimExecution } from '../../../../core/dr/store/executions.js';
import { actionKeyString, type ExecutionView } from '../../../../core/dr/store/types.js';
import { createKubeGateway } from '../../../../core/kube/index.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../../src/sandbox/kube-api/index.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, startHookServer, type HookServer } from './support.js';

const actor = { user: 'ana', host: 'jumpbox' };
/** Short leases, so a runner that "died" is given up on within a second. */
const LEASE_MS = 1000;

const jobSpec = { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } };
const jobAction = (name: string): Action => ({ name, type: 'Job', timeout: '5m', job: { namespace: 'default', template: { spec: jobSpec } } });

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
  /** A cluster whose Jobs run (their pod Running) for ten minutes: longer than any test. */
  let stuck: SandboxCluster;
  let dr: DrService;

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    stuck = await startSandboxCluster({ name: 'devops', controller: { jobDelayMs: 600_000 } });
    const kube = createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: 'sandbox', url: stuck.url }]), context: 'sandbox' });
    dr = new DrService({ db: test.db, actor, readonly: false, kube: async () => kube, secrets: null, leaseMs: LEASE_MS });
  });
  afterAll(async () => { await stuck?.stop(); await hooks?.close(); await test?.close(); });

  const jobPods = (job: string): string[] => stuck.objects.list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.['job-name'] === job).map((p) => p.metadata.name ?? '');
  const jobExists = (job: string): boolean => stuck.objects.get({ apiVersion: 'batch/v1', kind: 'Job', name: job, namespace: 'default' }) !== undefined;

  it('stops a running Job action: the execution and the action end Canceled, the Job and its pod are deleted, later actions never run, the plan is free again', async () => {
    const u = hooks.url;
    const job: Action = { ...jobAction('wait-job'), dependsOn: ['first'] };
    await dr.apply(planYaml('live-cancel', [httpAction('first', u), job, httpAction('after', u, { dependsOn: ['wait-job'] })]), 'live-cancel.yaml');
    const exec = await dr.startExecute('live-cancel');
    const running = dr.run(exec.id);
    // The Job exists and its action is Running (it would wait five minutes for a Job that never completes).
    await until('the Job action to run', () => dr.status(exec.id), (v) => v.actions.some((a) => a.action === 'wait-job' && a.phase === 'Running' && a.outputs.jobRef !== undefined));
    const jobName = (await dr.status(exec.id)).actions.find((a) => a.action === 'wait-job')!.outputs.jobRef!.name!;
    await until('the Job\'s pod to run', async () => jobPods(jobName), (pods) => pods.length === 1);
    const requested = Date.now();
    await dr.cancel(exec.id);
    const outcome = await running;
    expect(Date.now() - requested).toBeLessThan(5_000);
    expect(outcome.execution.phase).toBe('Canceled');
    const view = await dr.status(exec.id);
    expect(view.phase).toBe('Canceled');
    expect(phases(view)).toEqual(['first:Succeeded', 'wait-job:Canceled', 'after:Skipped']);
    expect(view.actions.find((a) => a.action === 'wait-job')!.error).toBe(`canceled; Job default/${jobName} was stopped (deleted with its pods)`);
    expect(jobExists(jobName)).toBe(false);
    expect(jobPods(jobName)).toEqual([]);
    expect(hooks.hits.get('/first')).toBe(1);
    expect(hooks.hits.get('/after')).toBeUndefined();
    // Nothing holds the plan any more: a new Execute is accepted.
    const again = await dr.startExecute('live-cancel');
    expect(again.id).not.toBe(exec.id);
    expect((await dr.cancel(again.id)).phase).toBe('Canceled');
  });

  it('a runner that loses the execution leaves its Job running; the runner that took over re-attaches to it, and its cancel stops it', async () => {
    await dr.apply(planYaml('handover', [jobAction('handover-wait')]), 'handover.yaml');
    const exec = await dr.startExecute('handover');
    const first = dr.run(exec.id, { holder: 'first-runner' });
    const running = await until('the Job action to run', () => dr.status(exec.id), (v) => v.actions[0]?.outputs.jobRef?.uid !== undefined);
    const jobName = running.actions[0]!.outputs.jobRef!.name!;
    const second = dr.run(exec.id, { holder: 'second-runner', steal: true });
    expect(await first).toMatchObject({ ran: false, reason: 'another process took the execution over' });
    expect(jobExists(jobName)).toBe(true);
    expect(jobPods(jobName)).toHaveLength(1);
    expect((await dr.status(exec.id))).toMatchObject({ leaseHolder: 'second-runner', actions: [{ phase: 'Running', attempts: 2, outputs: { jobRef: { name: jobName } } }] });
    await dr.cancel(exec.id);
    expect((await second).execution.phase).toBe('Canceled');
    expect(jobExists(jobName)).toBe(false);
    expect(jobPods(jobName)).toEqual([]);
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

  it('cancel of an execution whose runner died during a Job action stops the Job that runner left running', async () => {
    await dr.apply(planYaml('dead-job', [jobAction('dead-job-wait')]), 'dead-job.yaml');
    const exec = await dr.startExecute('dead-job');
    const fence = { executionId: exec.id, holder: 'dead-runner' };
    const key = { stage: 'main', workflow: 'default/dead-job', action: 'dead-job-wait' };
    expect(await claimExecution(test.db, exec.id, 'dead-runner', LEASE_MS)).not.toBeNull();
    await markRunning(test.db, fence, key);
    // What the Job action had done before its process was killed: the Job created with its mark, its reference recorded.
    const jobName = jobNameFor('dead-job', 'dead-job-wait', exec.id);
    const mark = { executionId: exec.id, planName: 'dead-job', actionName: 'dead-job-wait', actionKey: actionKeyString(key) };
    stuck.objects.put(withMark({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: jobName, namespace: 'default' }, spec: jobSpec }, mark));
    await recordOutputs(test.db, fence, key, { jobRef: { apiVersion: 'batch/v1', kind: 'Job', name: jobName, namespace: 'default' } });
    await until('the Job\'s pod to run', async () => jobPods(jobName), (pods) => pods.length === 1);
    const canceled = await dr.cancel(exec.id, { waitMs: 10_000 });
    expect(canceled.phase).toBe('Canceled');
    expect((await dr.status(exec.id)).actions[0]).toMatchObject({
      phase: 'Canceled', error: `canceled (its runner had stopped); Job default/${jobName} was stopped (deleted with its pods)`,
    });
    expect(jobExists(jobName)).toBe(false);
    expect(jobPods(jobName)).toEqual([]);
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
