import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import { DataplaneService, SecretBox } from '../../../core/dataplane/index.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { TEST_ACTOR, openTestEngine } from '../../support/engine.js';

const KEY = 'a'.repeat(64);

describe.each(DATABASE_KINDS)('TriggerDeploy (%s)', (kind) => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it('concurrent triggers from two services produce one task; the database index refuses a second active task', async () => {
    const test = await openTestEngine(kind);
    close = test.close;
    const deps = { db: test.engine.db, actor: TEST_ACTOR, readonly: false, relay: test.engine.relay, secrets: SecretBox.fromKey(KEY) };
    const a = new DataplaneService(deps);
    const b = new DataplaneService(deps);
    await a.addCluster({ name: 'gpu-a', kubeServer: 'https://10.0.0.1:6443', credentials: { token: 'canary-token-xyz' }, storageMode: 'external' });
    const results = await Promise.allSettled([a.trigger('gpu-a'), b.trigger('gpu-a'), a.trigger('gpu-a'), b.trigger('gpu-a')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason).toBeInstanceOf(ConflictError);
    const count = await test.engine.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dataplane_install_tasks`);
    expect(count.rows[0]!.n).toBe(1);
    // Even a write that bypasses the service cannot add a second active task.
    await expect(test.engine.db.query(
      `INSERT INTO dataplane_install_tasks (cluster_id, cluster_name, history_id, storage_mode)
       SELECT cluster_id, cluster_name, history_id, storage_mode FROM dataplane_install_tasks LIMIT 1`)).rejects.toMatchObject({ code: '23505' });
  });

  it('refuses unknown clusters, audits the deploy, and keeps credentials encrypted at rest', async () => {
    const test = await openTestEngine(kind);
    close = test.close;
    const service = new DataplaneService({ db: test.engine.db, actor: TEST_ACTOR, readonly: false, relay: test.engine.relay, secrets: SecretBox.fromKey(KEY) });
    await expect(service.trigger('ghost')).rejects.toBeInstanceOf(NotFoundError);
    const cluster = await service.addCluster({ name: 'gpu-c', kubeServer: 'https://10.0.0.2:6443', credentials: { token: 'canary-token-xyz' }, storageMode: 'lens-managed' });
    expect(JSON.stringify(cluster)).not.toContain('canary-token-xyz');
    const stored = await test.engine.db.query<{ kube_credentials_enc: string }>(`SELECT kube_credentials_enc FROM dataplane_clusters WHERE name = 'gpu-c'`);
    expect(stored.rows[0]!.kube_credentials_enc).toMatch(/^v1:/);
    expect(stored.rows[0]!.kube_credentials_enc).not.toContain('canary');
    const queued = await service.trigger('gpu-c');
    // Queued, with no worker to start it: the task is pending and the cluster keeps its status (seed 000 makes it
    // deploying when the installer starts, i.e. when a worker claims the task).
    const shown = await service.show('gpu-c');
    expect(shown.dataplaneStatus).toBe('pending');
    expect(shown.task).toMatchObject({ id: queued.taskId, status: 'pending', workerId: null, startedAt: null });
    expect(shown.history.map((h) => `${h.action}:${h.status}`)).toEqual(['deploy:pending']);
    const audit = await test.engine.db.query<{ action: string; result: string }>(`SELECT action, result FROM audit_log WHERE target IN ('gpu-c', 'ghost') ORDER BY id`);
    expect(audit.rows.map((r) => `${r.action}:${r.result}`)).toEqual(['dataplane.deploy:failed', 'dataplane.cluster.add:ok', 'dataplane.deploy:ok']);
    expect(queued.taskId).toBeGreaterThan(0);
  });

  it('refuses to store credentials without FLEETDECK_SECRET_KEY, and refuses deploys when read-only', async () => {
    const test = await openTestEngine(kind);
    close = test.close;
    const plain = new DataplaneService({ db: test.engine.db, actor: TEST_ACTOR, readonly: false, relay: test.engine.relay, secrets: null });
    await expect(plain.addCluster({ name: 'gpu-d', kubeServer: 'https://10.0.0.3:6443', credentials: { token: 't' } })).rejects.toMatchObject({ code: 'VALIDATION' });
    await plain.addCluster({ name: 'gpu-d', kubeContext: 'gpu-d' });
    const readonly = new DataplaneService({ db: test.engine.db, actor: TEST_ACTOR, readonly: true, relay: test.engine.relay, secrets: null });
    await expect(readonly.trigger('gpu-d')).rejects.toMatchObject({ code: 'READONLY' });
  });

  it('refuses, before writing anything, a cluster it could not reach: no connection data, or credentials this key cannot decrypt', async () => {
    const test = await openTestEngine(kind);
    close = test.close;
    const service = new DataplaneService({ db: test.engine.db, actor: TEST_ACTOR, readonly: false, relay: test.engine.relay, secrets: SecretBox.fromKey(KEY) });
    await service.addCluster({ name: 'gpu-nowhere', storageMode: 'external' });
    await expect(service.trigger('gpu-nowhere')).rejects.toMatchObject({
      code: 'VALIDATION', message: 'cluster "gpu-nowhere" has no connection data', hint: expect.stringContaining('--context CTX'),
    });
    const other = new DataplaneService({ db: test.engine.db, actor: TEST_ACTOR, readonly: false, relay: test.engine.relay, secrets: SecretBox.fromKey('d'.repeat(64)) });
    await other.addCluster({ name: 'gpu-otherkey', kubeServer: 'https://10.0.0.9:6443', credentials: { token: 't' }, storageMode: 'external' });
    await expect(service.trigger('gpu-otherkey')).rejects.toMatchObject({
      code: 'VALIDATION', message: 'cluster "gpu-otherkey": stored credentials cannot be decrypted with FLEETDECK_SECRET_KEY',
    });
    const written = await test.engine.db.query<{ tasks: number; history: number }>(
      `SELECT (SELECT count(*)::int FROM dataplane_install_tasks) AS tasks, (SELECT count(*)::int FROM dataplane_release_history) AS history`);
    expect(written.rows[0]).toEqual({ tasks: 0, history: 0 });
    expect((await service.show('gpu-nowhere')).dataplaneStatus).toBe('pending');
  });
});
