import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../core/dataplane/secret-box.js';
import { DrService } from '../../../core/dr/dr-service.js';
import { FleetError } from '../../../core/errors.js';
import { openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { stagedPlanYaml, startHookServer, TEST_SECRET_KEY, type HookServer } from './executor/support.js';

const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };

/** Secret headers, the parameters they read, and what servers echo back never show and are never stored in the clear. */
describe('DR secrets', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let dr: DrService;
  const planToken = `PLAN-CANARY-${Math.random().toString(36).slice(2)}`;
  const literalKey = `LITERAL-CANARY-${Math.random().toString(36).slice(2)}`;
  const paramToken = `PARAM-CANARY-${Math.random().toString(36).slice(2)}`;
  const service = (secrets: SecretBox | null): DrService => new DrService({ db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, kube: noKube, secrets, planClusters: [] });

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    hooks.echo.add('/echo').add('/echo-fail');
    hooks.status.set('/echo-fail', 500);
    dr = service(SecretBox.fromKey(TEST_SECRET_KEY));
    await dr.apply(stagedPlanYaml('guarded', [{
      name: 'guarded', parameters: [{ name: 'token' }, { name: 'region', default: 'eu' }],
      actions: [
        { name: 'call', type: 'HTTP', http: { url: `${hooks.url}/echo`, method: 'POST', headers: { Authorization: 'Bearer {{ .params.token }}', 'X-Api-Key': literalKey, 'X-Region': '{{ .params.region }}' }, body: '{"token": "{{ .params.token }}"}' } },
        { name: 'fail', type: 'HTTP', dependsOn: ['call'], http: { url: `${hooks.url}/echo-fail?t={{ .params.token }}`, method: 'POST', headers: { Authorization: 'Bearer {{ .params.token }}' } } },
      ],
    }], [{ name: 'main', workflows: [{ name: 'guarded' }] }], { globalParams: [{ name: 'token', value: planToken }] }), 'guarded.yaml');
  });
  afterAll(async () => { await hooks?.close(); await test?.close(); });

  async function everyRow(): Promise<string> {
    const parts: string[] = [];
    for (const table of ['dr_resources', 'dr_executions', 'dr_action_statuses', 'audit_log']) {
      const rows = await test.db.query(`SELECT * FROM ${table}`).catch(() => ({ rows: [] }));
      parts.push(JSON.stringify(rows.rows));
    }
    return parts.join('\n');
  }

  it('treats a parameter a secret header reads as secret in the dry run: its value, and every place it is used, show ******', async () => {
    const text = JSON.stringify(await dr.dryRun('guarded'));
    for (const canary of [planToken, literalKey]) expect(text).not.toContain(canary);
    const run = (await dr.dryRun('guarded', { token: paramToken })).stages[0]!.workflows[0]!;
    expect(run.params).toEqual({ token: '******', region: 'eu' });
    expect(run.actions[0]!.action.http?.headers).toEqual({ Authorization: '******', 'X-Api-Key': '******', 'X-Region': 'eu' });
    expect(run.actions[0]!.action.http?.body).toBe('{"token": "******"}');
    expect(run.actions[1]!.action.http?.url).toBe(`${hooks.url}/echo-fail?t=******`);
    expect(JSON.stringify(run)).not.toContain(paramToken);
  });

  it('sends the real values, and keeps them out of --json, recorded responses, errors and every database row', async () => {
    const exec = await dr.startExecute('guarded', { token: paramToken });
    expect(exec.params).toEqual({ token: '******' });
    const outcome = await dr.run(exec.id);
    expect(outcome.execution.phase).toBe('Failed');
    const sent = hooks.bodies.find((b) => b.path === '/echo')!;
    expect([sent.headers.authorization, sent.headers['x-api-key'], sent.body]).toEqual([`Bearer ${paramToken}`, literalKey, `{"token": "${paramToken}"}`]);
    const view = await dr.status(exec.id);
    const shown = JSON.stringify([view, await dr.listExecutions(), await dr.listPlans()]);
    for (const canary of [planToken, literalKey, paramToken]) expect(shown).not.toContain(canary);
    // The echoing server's answer is kept, scrubbed.
    expect(view.actions[0]!.outputs.httpResponse?.body).toContain('"authorization":"******"');
    expect(view.actions[1]!.error).toBe(`POST ${hooks.url}/echo-fail?t=****** answered 500 (expected 200-299)`);
    const stored = await everyRow();
    for (const canary of [planToken, literalKey, paramToken]) expect(stored).not.toContain(canary);
    expect(stored).toContain('fleetdeck-sealed:v1:');
  });

  it('without FLEETDECK_SECRET_KEY refuses to store a secret (naming it) and to run sealed ones, but still dry-runs redacted', async () => {
    const keyless = service(null);
    const yaml = stagedPlanYaml('keyless', [{ name: 'keyless', actions: [{ name: 'a', type: 'HTTP', http: { url: 'http://h/', headers: { 'X-Auth-Token': 'NEVER-STORED-1234' } } }] }], [{ name: 'm', workflows: [{ name: 'keyless' }] }]);
    await expect(keyless.apply(yaml, 'keyless.yaml')).rejects.toMatchObject({
      code: 'VALIDATION', message: expect.stringContaining('DRWorkflow "keyless" (keyless.yaml) holds a secret (spec.actions[0].http.headers.X-Auth-Token) and FLEETDECK_SECRET_KEY is not set'),
    });
    expect(await everyRow()).not.toContain('NEVER-STORED-1234');
    expect(JSON.stringify(await keyless.dryRun('guarded'))).not.toMatch(/CANARY|fleetdeck-sealed/);
    await expect(keyless.startExecute('guarded', { token: paramToken })).rejects.toThrow('holds encrypted secrets and FLEETDECK_SECRET_KEY is not set');
  });
});
