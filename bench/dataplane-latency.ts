/**
 * Dataplane installer scheduler on a real PostgreSQL server:
 * - trigger-to-claim latency (NOTIFY wake-up) vs the same scheduler polling only (the seed polls every 30 s);
 * - 1,000 no-op tasks across 4 worker processes: double claims and throughput;
 * - graphile-worker 0.16 on the same server, same job count and concurrency, side by side.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { Logger, run as runGraphile, makeWorkerUtils } from 'graphile-worker';
import { resolveConfig } from '../core/config.js';
import { createEngine } from '../core/engine.js';
import type { Engine } from '../core/engine.js';
import { DataplaneService, InstallScheduler, NoopRunner } from '../core/dataplane/index.js';
import { benchServer, fmt, freshDatabase, median, percentile } from './support.js';

const ACTOR = { user: 'bench', host: 'bench' };
const WORKER = join(process.cwd(), 'dist/test/support/workers/dataplane-worker.js');

async function openEngine(url: string): Promise<{ engine: Engine; service: DataplaneService }> {
  const engine = await createEngine(resolveConfig({ databaseUrl: url }, { HOME: '/nonexistent' }), { actor: ACTOR });
  const service = new DataplaneService({ db: engine.db, actor: ACTOR, readonly: false, relay: engine.relay, secrets: null });
  return { engine, service };
}

async function addClusters(service: DataplaneService, prefix: string, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const name of names) await service.addCluster({ name, kubeContext: name });
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

interface Throughput {
  seconds: number;
  enqueueSeconds: number;
  doubleClaims: number;
  completed: number;
  /** Per task while draining: events NOTIFYed (seen by this process as remote events). */
  notifiesPerTask: number;
}

async function fleetdeckThroughput(url: string, tasks: number, workers: number): Promise<Throughput> {
  const { engine, service } = await openEngine(url);
  try {
    const names = await addClusters(service, 'tp', tasks);
    // Queue everything first, then time the workers draining it (process start-up included).
    const enqueueStarted = performance.now();
    for (let i = 0; i < names.length; i += 16) await Promise.all(names.slice(i, i + 16).map((name) => service.trigger(name)));
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
    let notifies = 0;
    const unsubscribe = engine.events.subscribe((event) => {
      if (event.origin === 'remote') notifies += 1;
    }, ['installs']);
    const started = performance.now();
    const children = Array.from({ length: workers }, () => execa('node', [WORKER, JSON.stringify({ databaseUrl: url, runner: 'noop', exitWhenIdle: true, concurrency: 4 })], { reject: false }));
    const results = await Promise.all(children);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    unsubscribe();
    const claimed = results.flatMap((r) => (JSON.parse(String(r.stdout).split('\n').filter(Boolean).pop() ?? '{"claimed":[]}') as { claimed: number[] }).claimed);
    const stats = await engine.db.query<{ completed: number; multi: number }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE claims > 1)::int AS multi FROM dataplane_install_tasks`);
    return { seconds, enqueueSeconds, doubleClaims: claimed.length - new Set(claimed).size + stats.rows[0]!.multi, completed: stats.rows[0]!.completed,
      notifiesPerTask: notifies / tasks };
  } finally {
    await engine.close();
  }
}

async function graphileRun(url: string, jobs: number, workers: number): Promise<{ seconds: number; doubleRuns: number; latencies: number[] }> {
  const utils = await makeWorkerUtils({ connectionString: url, logger: new Logger(() => () => undefined) });
  await utils.migrate();
  const runs = new Map<number, number>();
  const added = new Map<number, number>();
  const latencies: number[] = [];
  let done = 0;
  let finish!: () => void;
  const allDone = new Promise<void>((r) => (finish = r));
  const runners = await Promise.all(Array.from({ length: workers }, () => runGraphile({
    connectionString: url, concurrency: 4, noHandleSignals: true, pollInterval: 2000,
    logger: new Logger(() => () => undefined),
    taskList: {
      noop: async (payload) => {
        const id = (payload as { id: number }).id;
        runs.set(id, (runs.get(id) ?? 0) + 1);
        const at = added.get(id);
        if (at !== undefined) latencies.push(performance.now() - at);
        done += 1;
        if (done >= jobs) finish();
      },
    },
  })));
  try {
    const started = performance.now();
    for (let i = 0; i < jobs; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, jobs - i) }, async (_, j) => {
        const id = i + j;
        added.set(id, performance.now());
        await utils.addJob('noop', { id });
      }));
    }
    await allDone;
    const seconds = (performance.now() - started) / 1000;
    return { seconds, doubleRuns: [...runs.values()].filter((n) => n > 1).length, latencies };
  } finally {
    for (const runner of runners) await runner.stop();
    await utils.release();
  }
}

export async function benchDataplane(options: { samples?: number; tasks?: number; workers?: number } = {}): Promise<void> {
  const samples = options.samples ?? 200;
  const tasks = options.tasks ?? 1000;
  const workers = options.workers ?? 4;
  const server = await benchServer();
  try {
    const notified = await triggerToClaim(await freshDatabase(server.serverUrl), samples, true, 5000);
    const polled = await triggerToClaim(await freshDatabase(server.serverUrl), 10, false, 1000);
    console.log(`  trigger-to-claim, NOTIFY wake-up (${samples} deploys): p50 ${fmt(median(notified))} ms, p99 ${fmt(percentile(notified, 99))} ms  (budget p50 ≤ 50, p99 ≤ 250)`);
    console.log(`  trigger-to-claim, polling every 1 s (10 deploys):  p50 ${fmt(median(polled))} ms  → NOTIFY is ${fmt(median(polled) / Math.max(0.01, median(notified)))}× faster; the seed's 30 s poll averages 15000 ms`);

    const ours = await fleetdeckThroughput(await freshDatabase(server.serverUrl), tasks, workers);
    console.log(`  fleetdeck: ${tasks} no-op tasks (5 stages each, journaled), ${workers} worker processes × 4: ${fmt(ours.seconds, 2)} s to drain, process start-up included (queueing them took ${fmt(ours.enqueueSeconds, 2)} s), ${fmt(tasks / ours.seconds, 0)} tasks/s, completed ${ours.completed}, double claims ${ours.doubleClaims}`);
    console.log(`  fleetdeck per task while draining: ${fmt(ours.notifiesPerTask)} events NOTIFYed (one per stage transition: claim+first stage, 3 advances, last stage+completion)`);
    try {
      const theirs = await graphileRun(await freshDatabase(server.serverUrl), tasks, workers);
      console.log(`  graphile-worker 0.16: ${tasks} no-op jobs, ${workers} runners × 4 (one process): ${fmt(theirs.seconds, 2)} s, ${fmt(tasks / theirs.seconds, 0)} jobs/s, double runs ${theirs.doubleRuns}; add-to-start p50 ${fmt(median(theirs.latencies))} ms`);
      console.log(`  throughput ratio fleetdeck / graphile-worker: ${fmt(theirs.seconds / ours.seconds, 2)} (fleetdeck also writes history, 5 stage rows and cluster status per task)`);
    } catch (error) {
      console.log(`  graphile-worker side-by-side unavailable: ${(error as Error).message}`);
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await benchDataplane();
}
