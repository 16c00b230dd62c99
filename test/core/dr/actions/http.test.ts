import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../../core/dr/dr-service.js';
import { FleetError } from '../../../../core/errors.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { httpAction, planYaml, startHookServer, type HookServer } from '../executor/support.js';

const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };

describe('the HTTP action against a loopback server', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let dr: DrService;
  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    dr = new DrService({ db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, kube: noKube });
  });
  afterAll(async () => { await hooks?.close(); await test?.close(); });

  it('retries with backoff while the server fails, succeeds once it recovers, and keeps secret headers out of errors', async () => {
    hooks.status.set('/flaky', 500);
    setTimeout(() => hooks.status.set('/flaky', 200), 400);
    await dr.apply(planYaml('flaky', [httpAction('flaky', hooks.url, {
      retryPolicy: { limit: 5, interval: '150ms', backoffMultiplier: '2.0' },
      http: { url: `${hooks.url}/flaky`, method: 'POST', headers: { Authorization: 'Bearer canary-secret-123' } },
    })]), 'flaky.yaml');
    const exec = await dr.startExecute('flaky');
    expect((await dr.run(exec.id)).execution.phase).toBe('Succeeded');
    const [action] = (await dr.status(exec.id)).actions;
    expect(action!.attempts).toBeGreaterThan(1);
    expect(action!.outputs.httpResponse?.statusCode).toBe(200);
    expect(JSON.stringify(await dr.dryRun('flaky'))).not.toContain('canary-secret-123');
  });

  it('fails a slow server on its read timeout, naming the timeout', async () => {
    hooks.delay.set('/slow', 3000);
    await dr.apply(planYaml('slow', [httpAction('slow', hooks.url, { http: { url: `${hooks.url}/slow`, method: 'GET', readTimeout: '300ms' } })]), 'slow.yaml');
    const exec = await dr.startExecute('slow');
    expect((await dr.run(exec.id)).execution.phase).toBe('Failed');
    const [action] = (await dr.status(exec.id)).actions;
    expect(action!.error).toContain('read timeout');
  });
});
