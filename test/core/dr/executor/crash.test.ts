import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../../core/dr/dr-service.js';
import type { Action } from '../../../../core/dr/schema/types.js';
import type { ActionStatusRecord } from '../../../../core/dr/store/types.js';
import { FleetError } from '../../../../core/errors.js';
import { createKubeGateway } from '../../../../core/kube/index.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../../src/sandbox/kube-api/index.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, startHookServer, type HookServer } from './support.js';

const WORKER = join(process.cwd(), 'dist/test/support/workers/dr-worker.js');
const actor = { user: 'ana', host: 'jumpbox' };
const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };
const HTTP_ACTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const JOB_ACTIONS = ['job1', 'job2'];
const ALL = [...HTTP_ACTIONS, ...JOB_ACTIONS];

function jobAction(name: string, dependsOn: string[]): Action {
  return {
    name, type: 'Job', dependsOn, timeout: '30s',
    job: { namespace: 'default', template: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  };
}

/** A finished status as it must stay: a resume may not run it again nor rewrite what it recorded. */
const settled = (s: ActionStatusRecord): unknown => ({ action: s.action, phase: s.phase, attempts: s.attempts, outputs: s.outputs, finishedAt: s.finishedAt });

describe('DR executions across processes (PostgreSQL)', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let cluster: SandboxCluster;
  let dr: DrService;
  let admin: pg.Client;
  /** Job creations seen by the sandbox API server, by Job name. */
  const jobsCreated = new Map<string, number>();
  let workerCount = 0;

  interface Worker {
    appName: string;
    child: ReturnType<typeof execa>;
    ready: Promise<void>;
    lines: string[];
    next(): Promise<string>;
  }

  /** A worker process that loads and connects now, and runs the execution it is given later. */
  function spawnWorker(): Worker {
    const appName = `dr-crash-${process.pid}-${(workerCount += 1)}`;
    const child = execa('node', [WORKER, JSON.stringify({ url: test.url, mode: 'serve', kubeUrl: cluster.url, appName })], { reject: false });
    const lines: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
    });
    const next = (): Promise<string> => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiters.push(resolve)));
    const worker: Worker = { appName, child, lines, next, ready: Promise.resolve() };
    worker.ready = next().then((line) => { if (line !== 'ready') throw new Error(`worker said ${line}`); });
    return worker;
  }

  /** Workers loading ahead of the trials that will use them, so start-up time overlaps with trials. */
  const warm: Worker[] = [];

  /** Runs the executor in another process, kills it after `afterMs`, and waits until its database sessions are gone. */
  async function killWorkerMidway(id: string, afterMs: number): Promise<void> {
    while (warm.length < 2) warm.push(spawnWorker());
    const worker = warm.shift()!;
    warm.push(spawnWorker());
    const { appName, child } = worker;
    await worker.ready;
    child.stdin!.write(`${id}\n`);
    expect(await worker.next()).toBe('started');
    await new Promise((r) => setTimeout(r, afterMs));
    child.kill('SIGKILL');
    await child;
    // A statement the killed worker sent may still be executing on the server (a late lease steal would take the
    // execution from the resuming process): wait until its backends are gone.
    for (let waited = 0; ; waited += 20) {
      const rows = await admin.query<{ n: string | number }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [appName]);
      if (Number(rows.rows[0]!.n) === 0) return;
      if (waited > 10_000) {
        const detail = await admin.query('SELECT pid, state, wait_event_type, wait_event, query, backend_start FROM pg_stat_activity WHERE application_name = $1', [appName]);
        throw new Error(`the killed worker's sessions (${appName}) did not end: ${JSON.stringify(detail.rows)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    test = await openTestDatabase('postgres');
    admin = new pg.Client({ connectionString: test.url! });
    await admin.connect();
    hooks = await startHookServer();
    cluster = await startSandboxCluster({ name: 'devops', controller: { jobDelayMs: 150 } });
    cluster.store.subscribe((event) => {
      if (event.type === 'ADDED' && event.resource === 'batch/jobs') jobsCreated.set(event.object.metadata.name ?? '', (jobsCreated.get(event.object.metadata.name ?? '') ?? 0) + 1);
    });
    const kube = createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: 'sandbox', url: cluster.url }]), context: 'sandbox' });
    dr = new DrService({ db: test.db, actor, readonly: false, kube: async () => kube, secrets: null });
    const u = hooks.url;
    for (const [i, name] of HTTP_ACTIONS.entries()) hooks.delay.set(`/${name}`, 10 + (i % 3) * 15);
    for (const name of HTTP_ACTIONS) hooks.delay.set(`/undo-${name}`, 40);
    const undo = (name: string): Action => ({ name: `undo-${name}`, type: 'HTTP', http: { url: `${u}/undo-${name}`, method: 'POST' } });
    const h = (name: string, dependsOn: string[] = []): Action => httpAction(name, u, { ...(dependsOn.length ? { dependsOn } : {}), rollback: undo(name) });
    await dr.apply(planYaml('crashy', [
      h('a'), h('b', ['a']), h('c', ['a']), h('d', ['a']), jobAction('job1', ['b']),
      h('e', ['b']), h('f', ['c', 'd']), h('g', ['e', 'f', 'job1']), jobAction('job2', ['g']), h('h', ['job2']),
    ]), 'crashy.yaml');
    await dr.apply(planYaml('contested', [httpAction('only', u)]), 'contested.yaml');
  }, 60_000);
  afterAll(async () => {
    for (const w of warm) w.child.kill('SIGKILL');
    await Promise.all(warm.map((w) => w.child));
    await admin?.end(); await cluster?.stop(); await hooks?.close(); await test?.close(); });

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

  it('survives the executor being killed at random points, Jobs and Reverts included: no succeeded action runs twice, no status lost', async () => {
    const trials = 50;
    let killedMidway = 0;
    let reattached = 0;
    const executed: string[] = [];
    for (let trial = 0; trial < trials; trial += 1) {
      hooks.hits.clear();
      const exec = await dr.startExecute('crashy');
      await killWorkerMidway(exec.id, Math.random() * 700);
      const before = await dr.status(exec.id);
      const started = before.actions.filter((a) => a.attempts > 0);
      if (before.phase !== 'Succeeded' && started.length > 0) killedMidway += 1;
      const succeededBefore = before.actions.filter((a) => a.phase === 'Succeeded');
      const jobsBefore = JOB_ACTIONS.filter((n) => before.actions.find((a) => a.action === n)?.phase !== 'Succeeded')
        .map((n) => before.actions.find((a) => a.action === n)?.outputs.jobRef?.name).filter((name): name is string => name !== undefined && jobsCreated.has(name));
      reattached += jobsBefore.length;
      const hitsBefore = new Map(hooks.hits);

      const outcome = await dr.run(exec.id, { steal: true });
      const after = await dr.status(exec.id);
      expect({ trial, phase: outcome.execution.phase }).toEqual({ trial, phase: 'Succeeded' });
      expect(after.actions.map((a) => [a.action, a.phase]).sort()).toEqual(ALL.map((n) => [n, 'Succeeded']).sort());
      // Nothing recorded before the kill was lost or rewritten, and nothing that had succeeded ran again.
      for (const s of succeededBefore) expect({ trial, ...settled(after.actions.find((a) => a.action === s.action)!) as object }).toEqual({ trial, ...settled(s) as object });
      for (const s of succeededBefore.filter((x) => x.type === 'HTTP')) expect({ trial, name: s.action, hits: hooks.hits.get(`/${s.action}`) }).toEqual({ trial, name: s.action, hits: hitsBefore.get(`/${s.action}`) });
      for (const name of HTTP_ACTIONS) expect(hooks.hits.get(`/${name}`) ?? 0).toBeGreaterThanOrEqual(1);
      // Each Job was created exactly once: a resume re-attaches to the Job the killed process created.
      for (const name of JOB_ACTIONS) {
        const jobName = after.actions.find((a) => a.action === name)!.outputs.jobRef?.name ?? '';
        expect({ trial, jobName, created: jobsCreated.get(jobName) }).toEqual({ trial, jobName, created: 1 });
      }
      executed.push(exec.id);
    }
    // The kills must land mid-run (some action started, the execution unfinished) for the test to mean anything.
    expect(killedMidway).toBeGreaterThan(trials / 4);
    expect(reattached).toBeGreaterThan(0);

    // Reverts killed at random points: every rollback runs once, every Job is deleted, every action ends RolledBack.
    let revertsKilledMidway = 0;
    for (const [trial, id] of executed.slice(0, 12).entries()) {
      hooks.hits.clear();
      const revert = await dr.startRevert(id);
      await killWorkerMidway(revert.id, Math.random() * 500);
      const before = await dr.status(revert.id);
      if (before.phase !== 'Succeeded' && before.actions.some((a) => a.attempts > 0)) revertsKilledMidway += 1;
      const undoneBefore = before.actions.filter((a) => a.phase === 'Succeeded');
      const hitsBefore = new Map(hooks.hits);
      expect({ trial, phase: (await dr.run(revert.id, { steal: true })).execution.phase }).toEqual({ trial, phase: 'Succeeded' });
      const after = await dr.status(revert.id);
      for (const s of undoneBefore) expect({ trial, ...settled(after.actions.find((a) => a.action === s.action)!) as object }).toEqual({ trial, ...settled(s) as object });
      for (const s of undoneBefore.filter((x) => x.type === 'HTTP')) expect({ trial, hits: hooks.hits.get(`/undo-${s.action}`) }).toEqual({ trial, hits: hitsBefore.get(`/undo-${s.action}`) });
      for (const name of HTTP_ACTIONS) expect({ trial, name, hits: (hooks.hits.get(`/undo-${name}`) ?? 0) >= 1 }).toEqual({ trial, name, hits: true });
      const parent = await dr.status(id);
      expect(parent.actions.map((a) => a.phase)).toEqual(ALL.map(() => 'RolledBack'));
      for (const name of JOB_ACTIONS) {
        const ref = parent.actions.find((a) => a.action === name)!.outputs.jobRef!;
        expect(cluster.objects.get({ apiVersion: 'batch/v1', kind: 'Job', name: ref.name!, namespace: ref.namespace! })).toBeUndefined();
      }
    }
    expect(revertsKilledMidway).toBeGreaterThan(0);
  }, 600_000);
});
