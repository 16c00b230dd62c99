/**
 * Runs one install scheduler in its own process (kill -9 and multi-worker tests, and the benchmark).
 * argv[2]: JSON { databaseUrl, runner: 'process' | 'noop', helmBin?, helmEnv?, secretKey?, staleMs?, concurrency?, exitWhenIdle? }
 * Prints `ready` once listening; with exitWhenIdle, prints the claimed task ids as JSON when no work is left.
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
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
const engine = await createEngine(resolveConfig({ databaseUrl: args.databaseUrl }, { HOME: '/nonexistent' }), { migrate: false });
const secrets = args.secretKey ? SecretBox.fromKey(args.secretKey) : null;
const runner: InstallRunner = args.runner === 'noop'
  ? new NoopRunner()
  : new ProcessRunner({ db: engine.db, secrets, helm: new HelmCli({ ...(args.helmBin ? { binary: args.helmBin } : {}), ...(args.helmEnv ? { env: args.helmEnv } : {}) }), pollMs: 200, timeouts: { default: 60_000 } });
const claimed: number[] = [];
const claimedAt: Record<number, number> = {};
const scheduler = new InstallScheduler({
  db: engine.db, relay: engine.relay, runners: { process: runner },
  staleMs: args.staleMs ?? 2000, pollMs: 1000, concurrency: args.concurrency ?? 4,
  onClaim: (task) => {
    claimed.push(task.id);
    claimedAt[task.id] = Date.now();
  },
});
await scheduler.start();
process.stdout.write('ready\n');

if (args.exitWhenIdle) {
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const left = await engine.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dataplane_install_tasks WHERE status IN ('pending', 'running')`);
    if (left.rows[0]!.n === 0) break;
  }
  await scheduler.stop();
  process.stdout.write(`${JSON.stringify({ claimed, claimedAt })}\n`);
  await engine.close();
} else {
  process.on('SIGTERM', () => {
    void scheduler.stop().then(() => engine.close()).then(() => process.exit(0));
  });
}
