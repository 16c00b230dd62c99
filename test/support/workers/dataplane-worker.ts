/**
 * Runs one install scheduler in its own process (kill -9 and multi-worker tests, and the benchmark).
 * argv[2]: JSON { databaseUrl, runner: 'process' | 'noop', helmBin?, helmEnv?, secretKey?, staleMs?, concurrency?, exitWhenIdle?, expectCompleted? }
 * Prints `ready` once listening; with exitWhenIdle, prints the claimed task ids as JSON when no work is left — and,
 * with expectCompleted, not before that many tasks have completed (so a worker never leaves before the triggers come).
 * With gate, it connects and prints `ready`, then starts claiming when a line arrives on stdin.
 */
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import { HelmCli, InstallScheduler, NoopRunner, ProcessRunner, SecretBox } from '../../../core/dataplane/index.js';
import type { InstallRunner } from '../../../core/dataplane/index.js';

interface WorkerArgs {
  databaseUrl: string;
  runner: 'process' | 'noop';
  helmBin?: string;
  helmEnv?: Record<string, string>;
  secretKey?: string;
  staleMs?: number;
  concurrency?: number;
  exitWhenIdle?: boolean;
  expectCompleted?: number;
  /** Connect, print `ready`, and start claiming only when a line arrives on stdin (benchmarks time without start-up). */
  gate?: boolean;
  /** One write and one NOTIFY per stage transition (the journal before group commit and event coalescing). */
  perTransition?: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
const engine = await createEngine(resolveConfig({ databaseUrl: args.databaseUrl }, { HOME: '/nonexistent' }), { migrate: false });
// Every statement this worker sends, by its first words (benchmarks report round trips per task).
const statements = new Map<string, number>();
const query = engine.db.query.bind(engine.db);
engine.db.query = ((sql: string, params?: readonly unknown[]) => {
  const key = sql.replace(/\s+/g, ' ').trim().slice(0, 48);
  statements.set(key, (statements.get(key) ?? 0) + 1);
  return query(sql, params);
}) as typeof engine.db.query;
const notify = engine.db.notify.bind(engine.db);
engine.db.notify = ((channel: string, payload: string) => {
  statements.set(`NOTIFY ${channel}`, (statements.get(`NOTIFY ${channel}`) ?? 0) + 1);
  return notify(channel, payload);
}) as typeof engine.db.notify;
const secrets = args.secretKey ? SecretBox.fromKey(args.secretKey) : null;
const runner: InstallRunner = args.runner === 'noop'
  ? new NoopRunner()
  : new ProcessRunner({ db: engine.db, secrets, helm: new HelmCli({ ...(args.helmBin ? { binary: args.helmBin } : {}), ...(args.helmEnv ? { env: args.helmEnv } : {}) }), pollMs: 200, timeouts: { default: 60_000 } });
const claimed: number[] = [];
const claimedAt: Record<number, number> = {};
const scheduler = new InstallScheduler({
  db: engine.db, relay: engine.relay, runners: { process: runner },
  staleMs: args.staleMs ?? 2000, pollMs: 1000, concurrency: args.concurrency ?? 4,
  ...(args.perTransition ? { coalesceEventsMs: 0, groupTransitions: false } : {}),
  onClaim: (task) => {
    claimed.push(task.id);
    claimedAt[task.id] = Date.now();
  },
});
if (args.gate) {
  await engine.db.query('SELECT 1');
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
  await scheduler.start();
} else {
  await scheduler.start();
  process.stdout.write('ready\n');
}

if (args.exitWhenIdle) {
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const counts = await engine.db.query<{ active: number; completed: number }>(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'running'))::int AS active, count(*) FILTER (WHERE status = 'completed')::int AS completed
       FROM dataplane_install_tasks`);
    const { active, completed } = counts.rows[0]!;
    if (active === 0 && completed >= (args.expectCompleted ?? 0)) break;
  }
  await scheduler.stop();
  process.stdout.write(`${JSON.stringify({ claimed, claimedAt, statements: Object.fromEntries(statements) })}\n`);
  await engine.close();
} else {
  process.on('SIGTERM', () => {
    void scheduler.stop().then(() => engine.close()).then(() => process.exit(0));
  });
}
