import { join } from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import type { Engine } from '../../../core/engine.js';
import { DataplaneService, RELEASES, SecretBox } from '../../../core/dataplane/index.js';
import { startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { freshPostgresUrl } from '../../support/databases.js';
import { TEST_ACTOR } from '../../support/engine.js';
import { fakeHelm } from '../../support/fake-bin/fake-helm.js';
import type { FakeHelm } from '../../support/fake-bin/fake-helm.js';

const WORKER = join(process.cwd(), 'dist/test/support/workers/dataplane-worker.js');
const KEY = 'b'.repeat(64);

function startWorker(args: Record<string, unknown>): { child: ResultPromise; ready: Promise<void> } {
  const child = execa('node', [WORKER, JSON.stringify(args)], { reject: false, buffer: true, timeout: 240_000 });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    void child.then((r) => reject(new Error(`worker exited early: ${String(r.stderr)}`)));
  });
  return { child, ready };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('install workers in separate processes (PostgreSQL)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ url: string; engine: Engine; service: DataplaneService }> {
    const { url, drop } = await freshPostgresUrl();
    cleanups.push(drop);
    const engine = await createEngine(resolveConfig({ databaseUrl: url }, { HOME: '/nonexistent' }), { actor: TEST_ACTOR });
    cleanups.push(() => engine.close());
    const service = new DataplaneService({ db: engine.db, actor: TEST_ACTOR, readonly: false, relay: engine.relay, secrets: SecretBox.fromKey(KEY) });
    return { url, engine, service };
  }

  it('a worker killed in the middle of a stage: another reclaims the task and finishes without repeating completed stages', async () => {
    const { url, engine, service } = await setup();
    const cluster: SandboxCluster = await startSandboxCluster({ name: 'crash-target' });
    cleanups.push(() => cluster.stop());
    const helm: FakeHelm = fakeHelm({ FAKE_HELM_DELAY_MS: '3000', FAKE_HELM_DELAY_RELEASE: RELEASES.applications });
    cleanups.push(() => helm.cleanup());
    await service.addCluster({ name: 'gpu-crash', storageMode: 'external', kubeServer: cluster.url, namespace: 'lens' });
    const { taskId } = await service.trigger('gpu-crash');
    const workerArgs = { databaseUrl: url, runner: 'process', helmBin: helm.bin, helmEnv: helm.env, secretKey: KEY, staleMs: 1500 };

    const first = startWorker(workerArgs);
    cleanups.push(() => void first.child.kill('SIGKILL'));
    await first.ready;
    await until('StageApplications to start', async () => {
      const row = await engine.db.query<{ current_stage: string | null }>('SELECT current_stage FROM dataplane_install_tasks WHERE id = $1', [taskId]);
      return row.rows[0]?.current_stage === 'StageApplications';
    });
    first.child.kill('SIGKILL');
    await first.child;

    const second = startWorker(workerArgs);
    cleanups.push(() => void second.child.kill('SIGKILL'));
    await second.ready;
    const view = await until('the install to finish', async () => {
      const v = await service.show('gpu-crash');
      return v.dataplaneStatus === 'deploying' ? null : v;
    });
    expect(view.dataplaneStatus).toBe('deployed');
    expect(view.task?.status).toBe('completed');
    const attempts = Object.fromEntries(view.task!.stages.map((s) => [s.name, s.attempts]));
    expect(attempts).toEqual({ StageInit: 1, StageDatabaseMigration: 1, StageStorageSecret: 1, StageApplications: 2, StageWaitApps: 1 });
    const migrationInstalls = helm.calls().filter((c) => c[1] === 'upgrade' && c[3] === RELEASES.migration);
    expect(migrationInstalls).toHaveLength(1);
    const claims = await engine.db.query<{ claims: number; retry_count: number }>('SELECT claims, retry_count FROM dataplane_install_tasks WHERE id = $1', [taskId]);
    expect(claims.rows[0]).toEqual({ claims: 2, retry_count: 0 });
  }, 180_000);

  it('4 worker processes share 120 tasks: every task claimed exactly once and completed', async () => {
    const { url, engine, service } = await setup();
    const names = Array.from({ length: 120 }, (_, i) => `bulk-${i}`);
    for (const name of names) await service.addCluster({ name, kubeContext: name });
    const workers = Array.from({ length: 4 }, () => startWorker({ databaseUrl: url, runner: 'noop', exitWhenIdle: true, concurrency: 4 }));
    for (const w of workers) cleanups.push(() => void w.child.kill('SIGKILL'));
    await Promise.all(workers.map((w) => w.ready));
    await Promise.all(names.map((name) => service.trigger(name)));
    const results = await Promise.all(workers.map((w) => w.child));
    const claimed = results.flatMap((r) => (JSON.parse(String(r.stdout).split('\n').filter(Boolean).pop()!) as { claimed: number[] }).claimed);
    expect(claimed).toHaveLength(120);
    expect(new Set(claimed).size).toBe(120);
    const tasks = await engine.db.query<{ status: string; claims: number; n: number }>(
      'SELECT status, claims, count(*)::int AS n FROM dataplane_install_tasks GROUP BY status, claims');
    expect(tasks.rows).toEqual([{ status: 'completed', claims: 1, n: 120 }]);
    const deployed = await engine.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dataplane_clusters WHERE dataplane_status = 'deployed'`);
    expect(deployed.rows[0]!.n).toBe(120);
  }, 180_000);
});
