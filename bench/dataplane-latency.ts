/**
 * Dataplane installer scheduler on a real PostgreSQL server:
 * - trigger-to-claim latency (NOTIFY wake-up) against the budget (p50 ≤ 50 ms, p99 ≤ 250 ms), and the same
 *   scheduler polling only (the seed polls every 30 s);
 * - throughput, like for like with graphile-worker 0.16 on the same server: 1,000 no-op jobs queued beforehand,
 *   4 worker processes × concurrency 4 on both sides, timed from "go" (every process connected and waiting) to the
 *   last job done — and, separately, from spawning the processes (start-up included). Completion is seen the same
 *   way for both: the parent polls the database. fleetdeck runs twice: with the journal writing one statement and
 *   one NOTIFY per stage transition (as it was), and with group commit and coalesced events (as it is).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import pg from 'pg';
import { Logger, run as runGraphile, makeWorkerUtils } from 'graphile-worker';
import { resolveConfig } from '../core/config.js';
import { createEngine } from '../core/engine.js';
import type { Engine } from '../core/engine.js';
import { DataplaneService, InstallScheduler, NoopRunner } from '../core/dataplane/index.js';
import { benchServer, fmt, freshDatabase, median, percentile } from './support.js';

const ACTOR = { user: 'bench', host: 'bench' };
const WORKER = join(process.cwd(), 'dist/test/support/workers/dataplane-worker.js');
const SELF = fileURLToPath(import.meta.url);
const BUDGET = { p50: 50, p99: 250 };

async function openEngine(url: string): Promise<{ engine: Engine; service: DataplaneService }> {
  const engine = await createEngine(resolveConfig({ databaseUrl: url }, { HOME: '/nonexistent' }), { actor: ACTOR });
  const service = new DataplaneService({ db: engine.db, actor: ACTOR, readonly: false, relay: engine.relay, secrets: null });
  return { engine, service };
}

async function addClusters(service: DataplaneService, prefix: string, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const name of names) await service.addCluster({ name, kubeContext: name, storageMode: 'external' });
  return names;
}

/** Trigger one deploy at a time and time until a scheduler in this process claims it. */
async function triggerToClaim(url: string, samples: number, listen: boolean, pollMs: number): Promise<number[]> {
  const { engine, service } = await openEngine(url);
  const waiting = new Map<number, (at: number) => void>();
  const scheduler = new InstallScheduler({
    db: engine.db, relay: engine.relay, runners: { process: new NoopRunner() }, listen, pollMs, concurrency: 4,
    onClaim: (task) => waiting.get(task.id)?.(performance.now()),
  });
  try {
    const names = await addClusters(service, listen ? 'lat' : 'poll', samples);
    await scheduler.start();
    const latencies: number[] = [];
    for (const name of names) {
      const started = performance.now();
      let resolveClaim!: (at: number) => void;
      const claimed = new Promise<number>((r) => (resolveClaim = r));
      const { taskId } = await service.trigger(name);
      waiting.set(taskId, resolveClaim);
      // A claim can land before the trigger call returns: look at the row then.
      const row = await engine.db.query<{ claims: number }>('SELECT claims FROM dataplane_install_tasks WHERE id = $1', [taskId]);
      const at = row.rows[0]!.claims > 0 ? performance.now() : await claimed;
      latencies.push(at - started);
      // Wait for the no-op task to finish, so a completion's wake-up never hides the polling delay of the next one.
      for (;;) {
        const state = await engine.db.query<{ status: string }>('SELECT status FROM dataplane_install_tasks WHERE id = $1', [taskId]);
        if (state.rows[0]?.status === 'completed') break;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    return latencies;
  } finally {
    await scheduler.stop();
    await engine.close();
  }
}

interface Drain {
  /** From "go" (all processes connected, waiting) to the last job done. */
  seconds: number;
  /** From spawning the processes to the last job done. */
  withStartupSeconds: number;
  doubleRuns: number;
  done: number;
}

/** Spawns the workers, waits until each says `ready`, says "go" to all, and polls `remaining()` until it is 0. */
async function drain(children: ResultPromise[], remaining: Probe): Promise<{ seconds: number; withStartupSeconds: number }> {
  const spawned = performance.now();
  await Promise.all(children.map((child) => new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('ready')) resolve();
    });
    void child.then((r) => reject(new Error(`a worker exited before it was ready: ${String(r.stderr).slice(-500)}`)));
  })));
  const go = performance.now();
  for (const child of children) child.stdin!.write('go\n');
  while ((await remaining()) > 0) await new Promise((r) => setTimeout(r, 10));
  const end = performance.now();
  return { seconds: (end - go) / 1000, withStartupSeconds: (end - spawned) / 1000 };
}

interface Probe {
  (): Promise<number>;
  end(): Promise<void>;
}

async function countOf(url: string, sql: string): Promise<Probe> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const probe = async (): Promise<number> => Number((await client.query<{ n: number | string }>(sql)).rows[0]!.n);
  return Object.assign(probe, { end: () => client.end() });
}

async function fleetdeckThroughput(url: string, tasks: number, workers: number, concurrency: number, perTransition = false):
  Promise<Drain & { notifiesPerTask: number; statementsPerTask: number }> {
  const { engine, service } = await openEngine(url);
  try {
    const names = await addClusters(service, 'tp', tasks);
    for (let i = 0; i < names.length; i += 16) await Promise.all(names.slice(i, i + 16).map((name) => service.trigger(name)));
    let notifies = 0;
    const unsubscribe = engine.events.subscribe((event) => {
      if (event.origin === 'remote') notifies += 1;
    }, ['installs']);
    const children = Array.from({ length: workers }, () => execa('node', [WORKER, JSON.stringify({
      databaseUrl: url, runner: 'noop', exitWhenIdle: true, expectCompleted: tasks, concurrency, gate: true, perTransition,
    })], { reject: false, stdin: 'pipe' }));
    const remaining = await countOf(url, `SELECT count(*) FILTER (WHERE status <> 'completed') AS n FROM dataplane_install_tasks`);
    const timing = await drain(children, remaining);
    await remaining.end();
    const results = await Promise.all(children);
    await new Promise((r) => setTimeout(r, 300));
    unsubscribe();
    const reports = results.map((r) => JSON.parse(String(r.stdout).split('\n').filter(Boolean).pop() ?? '{"claimed":[],"statements":{}}') as
      { claimed: number[]; statements: Record<string, number> });
    const claimed = reports.flatMap((r) => r.claimed);
    // Round trips the workers sent, without their own idle checks (`SELECT count(*) ...`, a harness detail).
    const statements = reports.flatMap((r) => Object.entries(r.statements)).filter(([sql]) => !sql.startsWith('SELECT count(*)'))
      .reduce((sum, [, n]) => sum + n, 0);
    const stats = await engine.db.query<{ completed: number; multi: number }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE claims > 1)::int AS multi FROM dataplane_install_tasks`);
    return {
      ...timing, doubleRuns: claimed.length - new Set(claimed).size + stats.rows[0]!.multi, done: stats.rows[0]!.completed,
      notifiesPerTask: notifies / tasks, statementsPerTask: statements / tasks,
    };
  } finally {
    await engine.close();
  }
}

async function graphileThroughput(url: string, jobs: number, workers: number, concurrency: number): Promise<Drain> {
  const utils = await makeWorkerUtils({ connectionString: url, logger: new Logger(() => () => undefined) });
  try {
    await utils.migrate();
    for (let i = 0; i < jobs; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, jobs - i) }, (_, j) => utils.addJob('noop', { id: i + j })));
    }
  } finally {
    await utils.release();
  }
  const children = Array.from({ length: workers }, () => execa('node', [SELF, 'graphile-child', url, String(concurrency)], { reject: false, stdin: 'pipe' }));
  const remaining = await countOf(url, 'SELECT count(*) AS n FROM graphile_worker._private_jobs');
  const timing = await drain(children, remaining);
  await remaining.end();
  for (const child of children) child.stdin!.end('stop\n');
  const results = await Promise.all(children);
  const ran = results.flatMap((r) => (JSON.parse(String(r.stdout).split('\n').filter(Boolean).pop() ?? '{"ran":[]}') as { ran: number[] }).ran);
  return { ...timing, doubleRuns: ran.length - new Set(ran).size, done: new Set(ran).size };
}

/** One graphile-worker process: connected first, then runs one runner at `concurrency` after "go", until "stop". */
async function graphileChild(url: string, concurrency: number): Promise<void> {
  const pgPool = new pg.Pool({ connectionString: url, max: concurrency + 2 });
  await pgPool.query('SELECT 1');
  const ran: number[] = [];
  const lines = (async function* () {
    let buffer = '';
    for await (const chunk of process.stdin) {
      buffer += String(chunk);
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        yield buffer.slice(0, at);
        buffer = buffer.slice(at + 1);
      }
    }
  })();
  process.stdout.write('ready\n');
  await lines.next();
  const runner = await runGraphile({
    pgPool, concurrency, noHandleSignals: true, pollInterval: 2000, logger: new Logger(() => () => undefined),
    taskList: { noop: async (payload) => void ran.push((payload as { id: number }).id) },
  });
  await lines.next();
  await runner.stop();
  await pgPool.end();
  process.stdout.write(`${JSON.stringify({ ran })}\n`);
}

function verdict(value: number, budget: number): string {
  return value <= budget ? `within budget (≤ ${budget} ms)` : `OVER budget (> ${budget} ms)`;
}

export async function benchDataplane(options: { samples?: number; tasks?: number; workers?: number; concurrency?: number } = {}): Promise<void> {
  const samples = options.samples ?? 200;
  const tasks = options.tasks ?? 1000;
  const workers = options.workers ?? 4;
  const concurrency = options.concurrency ?? 4;
  const server = await benchServer();
  try {
    const notified = await triggerToClaim(await freshDatabase(server.serverUrl), samples, true, 5000);
    const polled = await triggerToClaim(await freshDatabase(server.serverUrl), 10, false, 1000);
    const p50 = median(notified);
    const p99 = percentile(notified, 99);
    console.log(`  trigger-to-claim, NOTIFY wake-up (${samples} deploys): p50 ${fmt(p50)} ms — ${verdict(p50, BUDGET.p50)}; p99 ${fmt(p99)} ms — ${verdict(p99, BUDGET.p99)}`);
    console.log(`  trigger-to-claim, polling every 1 s (10 deploys): p50 ${fmt(median(polled))} ms → NOTIFY is ${fmt(median(polled) / Math.max(0.01, p50))}× faster; the seed's 30 s poll averages 15000 ms`);

    // The journal as it was (one write and one NOTIFY per stage transition), then as it is (group commit, coalesced events).
    const before = await fleetdeckThroughput(await freshDatabase(server.serverUrl), tasks, workers, concurrency, true);
    const ours = await fleetdeckThroughput(await freshDatabase(server.serverUrl), tasks, workers, concurrency);
    for (const [label, run] of [['one write + one NOTIFY per transition', before], ['group commit + coalesced events', ours]] as const) {
      console.log(`  fleetdeck (${label}): ${tasks} no-op tasks (5 journaled stages each) queued beforehand, ${workers} processes × concurrency ${concurrency}: `
        + `${fmt(run.seconds, 2)} s from go (${fmt(tasks / run.seconds, 0)} tasks/s), ${fmt(run.withStartupSeconds, 2)} s with process start-up (${fmt(tasks / run.withStartupSeconds, 0)} tasks/s); `
        + `completed ${run.done}, double claims ${run.doubleRuns}; per task ${fmt(run.statementsPerTask)} round trips, ${fmt(run.notifiesPerTask)} events received by another process`);
    }
    console.log(`  fleetdeck group commit + coalesced events vs one write per transition: ${fmt(before.seconds / ours.seconds, 2)}× the throughput from go`);
    try {
      const theirs = await graphileThroughput(await freshDatabase(server.serverUrl), tasks, workers, concurrency);
      console.log(`  graphile-worker 0.16: ${tasks} no-op jobs queued beforehand, ${workers} processes × 1 runner × concurrency ${concurrency}: `
        + `${fmt(theirs.seconds, 2)} s from go (${fmt(tasks / theirs.seconds, 0)} jobs/s), ${fmt(theirs.withStartupSeconds, 2)} s with process start-up (${fmt(tasks / theirs.withStartupSeconds, 0)} jobs/s); `
        + `ran ${theirs.done}, double runs ${theirs.doubleRuns}`);
      console.log(`  throughput ratio fleetdeck / graphile-worker: ${fmt(theirs.seconds / ours.seconds, 2)} from go, ${fmt(theirs.withStartupSeconds / ours.withStartupSeconds, 2)} with start-up `
        + '(fleetdeck also writes the release history, 5 stage rows and the cluster status per task)');
    } catch (error) {
      console.log(`  graphile-worker side-by-side unavailable: ${(error as Error).message}`);
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === 'graphile-child') {
  await graphileChild(process.argv[3]!, Number(process.argv[4] ?? '4'));
} else if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await benchDataplane();
}
