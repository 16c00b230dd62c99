import { join } from 'node:path';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import type { Engine } from '../../../core/engine.js';
import { DataplaneService, RELEASES, STORAGE_SECRET_NAME, SecretBox } from '../../../core/dataplane/index.js';
import { startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { freshPostgresUrl } from '../../support/databases.js';
import { TEST_ACTOR } from '../../support/engine.js';
import { fakeHelm } from '../../support/fake-bin/fake-helm.js';
import { installEnded } from './world.js';
import type { FakeHelm } from '../../support/fake-bin/fake-helm.js';

const WORKER = join(process.cwd(), 'dist/test/support/workers/dataplane-worker.js');
const KEY = 'b'.repeat(64);

/** detached: the worker leads its own process group, so a kill can take its helm child with it (as a node's OOM kill or a pod's end does). */
function startWorker(args: Record<string, unknown>): { child: ResultPromise; ready: Promise<void> } {
  const child = execa('node', [WORKER, JSON.stringify(args)], { reject: false, buffer: true, timeout: 240_000, detached: true });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    void child.then((r) => reject(new Error(`worker exited early: ${String(r.stderr)}`)));
  });
  return { child, ready };
}

function killGroup(child: ResultPromise): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
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

  it('a worker killed (with its helm) in the middle of a stage: another reclaims the task, unsticks the pending release, and finishes without repeating completed stages', async () => {
    const { url, engine, service } = await setup();
    const cluster: SandboxCluster = await startSandboxCluster({ name: 'crash-target' });
    cleanups.push(() => cluster.stop());
    const helm: FakeHelm = fakeHelm({ FAKE_HELM_DELAY_MS: '3000', FAKE_HELM_DELAY_RELEASE: RELEASES.applications });
    cleanups.push(() => helm.cleanup());
    await service.addCluster({ name: 'gpu-crash', storageMode: 'external', kubeServer: cluster.url, namespace: 'lens' });
    cluster.objects.put({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: STORAGE_SECRET_NAME, namespace: 'lens' },
      data: Object.fromEntries(Object.entries({ storage_mode: 'external', postgres_host: 'pg', postgres_user: 'lens', postgres_password: 'pw', opensearch_host: 'os', prometheus_url: 'http://prom:9090' })
        .map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
    const { taskId } = await service.trigger('gpu-crash');
    const workerArgs = { databaseUrl: url, runner: 'process', helmBin: helm.bin, helmEnv: helm.env, secretKey: KEY, staleMs: 1500 };

    const first = startWorker(workerArgs);
    cleanups.push(() => killGroup(first.child));
    await first.ready;
    await until('helm to be installing the applications', async () => helm.releases()[`lens/${RELEASES.applications}`]?.status === 'pending-install');
    killGroup(first.child);
    await first.child;
    // The worker and its helm are gone; Helm's record of the release says an install is still in progress.
    await new Promise((r) => setTimeout(r, 3500));
    expect(helm.releases()[`lens/${RELEASES.applications}`]?.status).toBe('pending-install');

    const second = startWorker(workerArgs);
    cleanups.push(() => killGroup(second.child));
    await second.ready;
    const view = await until('the install to finish', async () => {
      const v = await service.show('gpu-crash');
      return installEnded(v) ? v : null;
    });
    expect(view.dataplaneStatus).toBe('deployed');
    expect(view.task?.status).toBe('completed');
    const attempts = Object.fromEntries(view.task!.stages.map((s) => [s.name, s.attempts]));
    expect(attempts).toEqual({ StageInit: 1, StageDatabaseMigration: 1, StageStorageSecret: 1, StageApplications: 2, StageWaitApps: 1 });
    const migrationInstalls = helm.calls().filter((c) => c[1] === 'upgrade' && c[3] === RELEASES.migration);
    expect(migrationInstalls).toHaveLength(1);
    // The retry did what an operator does with a pending-install that never deployed: uninstall, then install.
    expect(helm.calls().filter((c) => c[1] === 'uninstall').map((c) => c[2])).toEqual([RELEASES.applications]);
    expect(view.task!.stages.find((s) => s.name === 'StageApplications')?.output).toContain('was left pending-install');
    expect(helm.releases()[`lens/${RELEASES.applications}`]).toMatchObject({ status: 'deployed', revision: 1 });
    const claims = await engine.db.query<{ claims: number; retry_count: number }>('SELECT claims, retry_count FROM dataplane_install_tasks WHERE id = $1', [taskId]);
    expect(claims.rows[0]).toEqual({ claims: 2, retry_count: 0 });
  }, 180_000);

  it('4 worker processes share 120 tasks: every task claimed exactly once and completed', async () => {
    const { url, engine, service } = await setup();
    const names = Array.from({ length: 120 }, (_, i) => `bulk-${i}`);
    for (const name of names) await service.addCluster({ name, kubeContext: name, storageMode: 'external' });
    // Workers stay until all 120 have completed: none may leave before the triggers arrive.
    const workers = Array.from({ length: 4 }, () => startWorker({ databaseUrl: url, runner: 'noop', exitWhenIdle: true, expectCompleted: 120, concurrency: 4 }));
    for (const w of workers) cleanups.push(() => killGroup(w.child));
    await Promise.all(workers.map((w) => w.ready));
    await Promise.all(names.map((name) => service.trigger(name)));
    const results = await Promise.all(workers.map((w) => w.child));
    const perWorker = results.map((r) => (JSON.parse(String(r.stdout).split('\n').filter(Boolean).pop()!) as { claimed: number[] }).claimed);
    const claimed = perWorker.flat();
    expect(claimed).toHaveLength(120);
    expect(new Set(claimed).size).toBe(120);
    // The work was shared: more than one process claimed tasks (NOTIFY wakes them all; SKIP LOCKED splits the rows).
    expect(perWorker.filter((ids) => ids.length > 0).length, `claims per worker: ${perWorker.map((ids) => ids.length).join(', ')}`).toBeGreaterThan(1);
    const tasks = await engine.db.query<{ status: string; claims: number; n: number }>(
      'SELECT status, claims, count(*)::int AS n FROM dataplane_install_tasks GROUP BY status, claims');
    expect(tasks.rows).toEqual([{ status: 'completed', claims: 1, n: 120 }]);
    const deployed = await engine.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dataplane_clusters WHERE dataplane_status = 'deployed'`);
    expect(deployed.rows[0]!.n).toBe(120);
  }, 180_000);
});
