/** Rendering actions with params, planName and outputs, and the dry run of the shipped example plans. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { jobNameFor, parseParamOverrides, redactAction, renderAction, renderPlan, resolveParams, secretValues } from '../../../core/dr/render/index.js';
import { loadDRDocuments, type DRBundle } from '../../../core/dr/schema/index.js';
import { TemplateError } from '../../../core/templates/index.js';

const examples = new URL('../../../core/dr/examples/', import.meta.url);
function bundle(file: string): DRBundle {
  return loadDRDocuments(readFileSync(new URL(file, examples), 'utf8'), { source: file });
}
function lookup(b: DRBundle) {
  return (ref: { name: string; namespace: string }) => b.workflows.find((w) => w.metadata.name === ref.name && (w.metadata.namespace ?? 'default') === ref.namespace);
}

describe('parameters', () => {
  it('layers workflow defaults < globalParams < stage params < execution params < --param, with declared types', () => {
    const params = resolveParams({
      workflow: [{ name: 'a', default: '1', type: 'number' }, { name: 'b', default: 'wf' }, { name: 'c', default: 'wf' }, { name: 'd', type: 'boolean', default: 'false' }, { name: 'e', default: 'wf' }],
      global: [{ name: 'b', value: 'global' }, { name: 'c', value: 'global' }],
      stage: [{ name: 'c', value: 'stage' }],
      execution: [{ name: 'e', value: 'exec' }],
      overrides: { d: 'true' },
    });
    expect(params).toEqual({ a: 1, b: 'global', c: 'stage', d: true, e: 'exec' });
  });

  it('refuses an unknown --param, a required parameter without value, and a value of the wrong type', () => {
    expect(() => resolveParams({ workflow: [{ name: 'x' }], overrides: { y: '1' } })).toThrow('unknown parameter "y"');
    expect(() => resolveParams({ workflow: [{ name: 'x', required: true }] })).toThrow('parameter "x" is required and has no value');
    expect(() => resolveParams({ workflow: [{ name: 'n', type: 'number' }], overrides: { n: 'many' } })).toThrow('parameter "n" must be a number, got "many"');
    expect(() => resolveParams({ workflow: [{ name: 'v', valueFrom: { manifestRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', jsonPath: '{.data.v}' } } }] })).toThrow('was not resolved');
    expect(resolveParams({ workflow: [{ name: 'v', valueFrom: { manifestRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', jsonPath: '{.data.v}' } } }], resolvedValueFrom: { v: 'from-cluster' } })).toEqual({ v: 'from-cluster' });
  });

  it('parses --param k=v, keeping "=" in values', () => {
    expect(parseParamOverrides(['a=1', 'url=http://x/?q=1', 'empty='])).toEqual({ a: '1', url: 'http://x/?q=1', empty: '' });
    expect(() => parseParamOverrides(['novalue'])).toThrow(ValidationError);
  });
});

describe('rendering actions', () => {
  it('renders params, planName and outputs of earlier actions', () => {
    const out = renderAction(
      { name: 'done', type: 'HTTP', http: { url: '$(params.base)/done', body: '{"job": {{ .outputs.sync.jobRef.name | quote }}, "plan": "{{ .planName }}"}' }, when: '{{ .params.base }}' },
      { planName: 'p1', params: { base: 'http://hooks' }, outputs: { sync: { phase: 'Succeeded', jobRef: { name: 'p1-sync' } } } },
    );
    expect(out.http).toEqual({ url: 'http://hooks/done', body: '{"job": "p1-sync", "plan": "p1"}' });
    expect(out.when).toBe('{{ .params.base }}');
  });

  it('derives deterministic, valid Job names', () => {
    expect(jobNameFor('failover-web', 'run-sync-job')).toBe('failover-web-run-sync-job');
    expect(jobNameFor('failover-web', 'run-sync-job', 'e42')).toBe('failover-web-run-sync-job-e42');
    const long = jobNameFor('a'.repeat(50), 'b'.repeat(30));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toBe(jobNameFor('a'.repeat(50), 'b'.repeat(30)));
  });

  it('redacts secret headers, listed or conventional', () => {
    const action = { name: 'n', type: 'HTTP' as const, http: { url: 'u', headers: { Authorization: 'Bearer canary-token-1', 'X-Signature': 'canary-sig-2', Accept: 'json' }, secretHeaders: ['X-Signature'] } };
    expect(redactAction(action).http?.headers).toEqual({ Authorization: '******', 'X-Signature': '******', Accept: 'json' });
    expect(JSON.stringify(redactAction(action))).not.toMatch(/canary/);
    expect(secretValues(action)).toEqual(['Bearer canary-token-1', 'canary-token-1', 'canary-sig-2']);
  });
});

describe('dry run of the shipped examples', () => {
  it('renders every action of the succeeding plan in DAG order, predicting earlier outputs', () => {
    const b = bundle('failover-succeeds.yaml');
    const plan = b.plans[0];
    if (!plan) throw new Error('no plan');
    const dry = renderPlan(plan, lookup(b), { overrides: { replicas: '5' } });
    const run = dry.stages[0]?.workflows[0];
    expect(run?.params).toEqual({ notifyURL: 'http://127.0.0.1:18080/hooks/dr', drClusterNamespace: 'clusternet-dr', feedNamespace: 'production', replicas: 5 });
    const byName = Object.fromEntries((run?.actions ?? []).map((a) => [a.name, a]));
    expect(byName['notify-start']?.action.http?.url).toBe('http://127.0.0.1:18080/hooks/dr/start');
    expect(byName['notify-start']?.action.http?.body).toBe('{"plan": "failover-web", "event": "failover-start"}');
    expect(byName['create-localization']?.action.localization?.spec).toMatchObject({ overrides: [{ value: '{"spec":{"replicas":5}}' }], feed: { namespace: 'production' } });
    expect(byName['create-subscription']?.action.subscription?.namespace).toBe('production');
    expect(byName['run-sync-job']?.when).toEqual({ source: "{{ .outputs.create-localization.phase == 'Succeeded' }}", result: true });
    expect(JSON.stringify(byName['run-sync-job']?.action.job)).toContain('echo syncing failover-web to $(TARGET)');
    expect(byName['notify-done']?.action.http?.body).toBe('{"plan": "failover-web", "sync": "Succeeded"}');
    expect(byName['record-dr-mode']?.action.resource?.manifest).toContain('name: dr-mode-failover-web\n  namespace: production');
    expect((run?.actions ?? []).map((a) => `${a.level}:${a.name}`)).toEqual(['0:notify-start', '1:record-dr-mode', '1:create-localization', '1:create-subscription', '2:run-sync-job', '3:notify-done']);
  });

  it('renders the rolling-back plan with its explicit rollback', () => {
    const b = bundle('failover-rolls-back.yaml');
    const plan = b.plans[0];
    if (!plan) throw new Error('no plan');
    const run = renderPlan(plan, lookup(b)).stages[0]?.workflows[0];
    expect(run?.actions.map((a) => a.name)).toEqual(['announce', 'maintenance-page', 'localize-db-endpoint', 'verify-promotion', 'switch-traffic']);
    expect(run?.actions[0]?.rollback?.http?.url).toBe('http://127.0.0.1:18080/hooks/dr/cancelled');
    expect(run?.actions[3]?.action.http?.url).toBe('http://127.0.0.1:18080/dr/verify-promotion');
  });

  it('a missing key fails the dry run before anything runs, naming workflow, field and key', () => {
    const b = bundle('failover-succeeds.yaml');
    const plan = b.plans[0];
    const wf = b.workflows[0];
    if (!plan || !wf) throw new Error('no plan');
    const broken = structuredClone(wf);
    const notify = broken.spec.actions[0];
    if (notify?.http) notify.http.url = '{{ .params.notifyURL }}/{{ .params.channel }}';
    let caught: unknown;
    try {
      renderPlan(plan, () => broken);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    const error = caught as TemplateError;
    expect(error.message).toBe('default/failover-web: spec.actions[0].http.url:1:28: map has no entry for key "channel" at <.params.channel>');
    expect(error.hint).toContain('--param channel=VALUE');
    expect(error.hint).toContain('plan "failover-web"');
  });

  it('reading the outputs of an action that is not upstream is a missing key', () => {
    const b = bundle('failover-succeeds.yaml');
    const plan = b.plans[0];
    const wf = structuredClone(b.workflows[0]);
    if (!plan || !wf) throw new Error('no plan');
    const loc = wf.spec.actions.find((a) => a.name === 'create-localization');
    if (loc?.localization) loc.localization.name = '{{ .outputs.create-subscription.subscriptionRef.name }}';
    expect(() => renderPlan(plan, () => wf)).toThrow('map has no entry for key "create-subscription"');
  });

  it('refuses an unknown --param and a missing workflow', () => {
    const b = bundle('failover-succeeds.yaml');
    const plan = b.plans[0];
    if (!plan) throw new Error('no plan');
    expect(() => renderPlan(plan, lookup(b), { overrides: { replica: '5' } })).toThrow('unknown parameter "replica"');
    expect(() => renderPlan(plan, () => undefined)).toThrow('DRWorkflow "default/failover-web" not found');
  });
});
