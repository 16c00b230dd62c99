import { afterEach, describe, expect, it } from 'vitest';
import { SecretBox, dataplaneFor } from '../../../core/dataplane/index.js';
import { startHttpApi } from '../../../src/http/server.js';
import type { HttpApi } from '../../../src/http/server.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { openTestEngine } from '../../support/engine.js';

const KEY = '0'.repeat(63) + '1';

describe.each(DATABASE_KINDS)('HTTP API: TriggerDeploy (%s)', (kind) => {
  let api: HttpApi | null = null;
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await api?.close();
    await close?.();
    api = null;
    close = null;
  });

  async function start(): Promise<{ url: string; service: ReturnType<typeof dataplaneFor>['service'] }> {
    const test = await openTestEngine(kind);
    close = test.close;
    const { service } = dataplaneFor(test.engine, { secrets: SecretBox.fromKey(KEY) });
    api = await startHttpApi({ dataplane: service, host: '127.0.0.1', port: 0 });
    return { url: api.url, service };
  }

  it('answers 202 with history and task ids, 409 while the task is active, 404 for an unknown cluster', async () => {
    const { url, service } = await start();
    await service.addCluster({ name: 'gpu-a', kubeContext: 'gpu-a-admin', storageMode: 'lens-managed' });

    const first = await fetch(`${url}/lens/v1/release/clusters/gpu-a/deploy`, { method: 'POST' });
    expect(first.status).toBe(202);
    const accepted = await first.json() as { history_id: number; task_id: number; storage_mode: string };
    expect(accepted.task_id).toBeGreaterThan(0);
    expect(accepted.history_id).toBeGreaterThan(0);
    expect(accepted.storage_mode).toBe('lens-managed');

    const second = await fetch(`${url}/lens/v1/release/clusters/gpu-a/deploy`, { method: 'POST' });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toMatch(/application\/json/);
    const conflict = await second.json() as { error: { code: string; message: string; hint: string } };
    expect(conflict.error.code).toBe('CONFLICT');
    expect(conflict.error.message).toContain(`task ${accepted.task_id}`);

    const missing = await fetch(`${url}/lens/v1/release/clusters/nope/deploy`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect((await missing.json() as { error: { code: string } }).error.code).toBe('NOT_FOUND');

    const view = await fetch(`${url}/lens/v1/release/clusters/gpu-a`);
    expect(view.status).toBe(200);
    const body = await view.json() as { dataplaneStatus: string; task: { id: number; status: string; stages: { name: string; status: string }[] } };
    // No worker runs here: the task waits, queued, and the cluster is not deploying until an installer starts it.
    expect(body.dataplaneStatus).toBe('pending');
    expect(body.task).toMatchObject({ id: accepted.task_id, status: 'pending' });
    expect(body.task.stages).toHaveLength(9);
    expect(body.task.stages.every((s) => s.status === 'pending')).toBe(true);

    const wrongMethod = await fetch(`${url}/lens/v1/release/clusters/gpu-a/deploy`);
    expect(wrongMethod.status).toBe(405);
  });

  it('two deploys at the same moment create exactly one task; the other gets 409', async () => {
    const { url, service } = await start();
    await service.addCluster({ name: 'gpu-b', kubeContext: 'gpu-b-admin', storageMode: 'external' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(`${url}/lens/v1/release/clusters/gpu-b/deploy`, { method: 'POST' })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409, 409]);
    const view = await service.show('gpu-b');
    expect(view.history).toHaveLength(1);
    expect(view.task?.storageMode).toBe('external');
    expect(view.task?.stages).toHaveLength(5);
  });

  it('400 with what to do for a cluster without connection data or storage mode; nothing is queued', async () => {
    const { url, service } = await start();
    await service.addCluster({ name: 'gpu-bare', storageMode: 'external' });
    const noConnection = await fetch(`${url}/lens/v1/release/clusters/gpu-bare/deploy`, { method: 'POST' });
    expect(noConnection.status).toBe(400);
    expect(await noConnection.json()).toEqual({ error: { code: 'VALIDATION', message: 'cluster "gpu-bare" has no connection data',
      hint: 'Give it a kube context or a server and token: `fleetdeck dataplane add gpu-bare --context CTX`.' } });
    await service.addCluster({ name: 'gpu-nomode', kubeContext: 'gpu-nomode-admin' });
    const noMode = await fetch(`${url}/lens/v1/release/clusters/gpu-nomode/deploy`, { method: 'POST' });
    expect(noMode.status).toBe(400);
    const body = await noMode.json() as { error: { message: string; hint: string } };
    expect(body.error.message).toMatch(/has no storage mode/);
    expect(body.error.hint).toMatch(/storage-mode gpu-nomode lens-managed/);
    expect((await service.list()).every((c) => c.task === null)).toBe(true);
  });
});
