/** `when` conditions in their three spellings, and the rollback order with automatic inverses (seed 004 table). */
import { describe, expect, it } from 'vitest';
import { parseWhen, planRollback } from '../../../core/dr/dag/index.js';
import type { Action, ActionStatus } from '../../../core/dr/schema/types.js';
import { TemplateError } from '../../../core/templates/index.js';

const data = { planName: 'p', params: { mode: 'Install', replicas: 3, region: 'sh', enabled: 'true' }, outputs: { 'create-localization': { phase: 'Succeeded' }, check: { phase: 'Failed', httpResponse: { statusCode: 503 } } } };

describe('when', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ["{{ .outputs.create-localization.phase == 'Succeeded' }}", true],
    ["{{ .outputs.check.phase == 'Succeeded' }}", false],
    ['{{ eq .outputs.check.httpResponse.statusCode 503 }}', true],
    ['{{ .params.region }}', true],
    ['{{ if eq .params.region "gz" }}yes{{ end }}', false],
    ['{{ gt .params.replicas 5 }}', false],
    ['mode == "install"', true],
    ['mode == "upgrade" || mode == "install"', true],
    ['mode == "upgrade" || mode == "delete"', false],
    ['region == "sh" && replicas >= 3', true],
    ['!(region == "sh")', false],
    ["$(outputs.check.phase) != 'Succeeded'", true],
    ['.outputs.check.httpResponse.statusCode == 503', true],
  ];
  it.each(cases)('%j is %s', (source, expected) => {
    expect(parseWhen(source).evaluate(data)).toBe(expected);
  });

  it('a condition on mode is true when the execution has no mode (BCS compatibility)', () => {
    expect(parseWhen('mode == "upgrade"').evaluate({ params: {}, outputs: {} })).toBe(true);
    expect(parseWhen('operation == "upgrade"').evaluate({ params: { mode: 'upgrade' }, outputs: {} })).toBe(true);
  });

  it('reading an output that does not exist is an error naming it', () => {
    expect(() => parseWhen('{{ .outputs.nope.phase == "Succeeded" }}').evaluate(data)).toThrow('map has no entry for key "nope"');
  });

  it('refuses what it cannot parse, with the position', () => {
    let caught: unknown;
    try {
      parseWhen('mode in ["install"]', 'spec.actions[0].when');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).message).toBe('spec.actions[0].when:1:6: unexpected "in"');
    expect(() => parseWhen('mode == ')).toThrow('missing value');
  });
});

const http = (name: string, rollback?: Action): Action => ({ name, type: 'HTTP', http: { url: 'http://x' }, ...(rollback ? { rollback } : {}) });
const actions: Action[] = [
  http('notify-start'),
  { name: 'create-localization', type: 'Localization', localization: { name: 'loc', namespace: 'cl-ns', spec: {} } },
  { name: 'create-subscription', type: 'Subscription', subscription: { name: 'sub', namespace: 'default', spec: {} } },
  { name: 'run-sync-job', type: 'Job', job: { template: { spec: {} } } },
  { name: 'config', type: 'KubernetesResource', resource: { manifest: 'kind: ConfigMap' } },
  http('announce', { name: '', type: 'HTTP', http: { url: 'http://x/cancelled', method: 'POST' } }),
  { name: 'delete-old', type: 'Localization', localization: { operation: 'Delete', name: 'old', namespace: 'n' } },
];
const ok = (name: string, at: string, outputs: ActionStatus['outputs'] = {}): ActionStatus => ({ name, phase: 'Succeeded', completionTime: `2025-01-01T00:00:0${at}Z`, outputs });

describe('rollback order', () => {
  it('undoes succeeded actions in reverse completion order with the seed\'s automatic inverses', () => {
    const statuses: ActionStatus[] = [
      ok('notify-start', '1'),
      ok('create-subscription', '2', { subscriptionRef: { kind: 'Subscription', name: 'sub', namespace: 'default' } }),
      ok('create-localization', '3', { localizationRef: { kind: 'Localization', name: 'loc', namespace: 'cl-ns' } }),
      ok('run-sync-job', '4', { jobRef: { kind: 'Job', name: 'p-run-sync-job', namespace: 'default' } }),
      ok('config', '5', { resourceRef: { kind: 'ConfigMap', name: 'cfg', namespace: 'default' } }),
      ok('announce', '6'),
      ok('delete-old', '7'),
    ];
    const steps = planRollback(actions, statuses);
    expect(steps.map((s) => `${s.action}:${s.kind}`)).toEqual([
      'delete-old:skip',
      'announce:custom',
      'config:delete',
      'run-sync-job:delete',
      'create-localization:delete',
      'create-subscription:delete',
      'notify-start:skip',
    ]);
    const job = steps.find((s) => s.action === 'run-sync-job');
    expect(job?.kind === 'delete' && job.ref).toEqual({ kind: 'Job', name: 'p-run-sync-job', namespace: 'default' });
    const notify = steps.find((s) => s.action === 'notify-start');
    expect(notify?.kind === 'skip' && notify.reason).toContain('HTTP has no automatic inverse');
  });

  it('ignores failed, skipped and pending actions: only what succeeded is undone', () => {
    const statuses: ActionStatus[] = [ok('notify-start', '1'), { name: 'create-localization', phase: 'Failed' }, { name: 'run-sync-job', phase: 'Skipped' }];
    expect(planRollback(actions, statuses).map((s) => s.action)).toEqual(['notify-start']);
  });

  it('finds a Clusternet object by its name in the action when no outputs were recorded', () => {
    const [step] = planRollback(actions, [ok('create-localization', '1')]);
    expect(step).toEqual({ kind: 'delete', action: 'create-localization', type: 'Localization', ref: { kind: 'Localization', name: 'loc', namespace: 'cl-ns' }, refs: [{ kind: 'Localization', name: 'loc', namespace: 'cl-ns' }] });
  });

  it('orders actions that completed at the same instant by reverse declaration', () => {
    const steps = planRollback(actions, [ok('create-localization', '1'), ok('create-subscription', '1')]);
    expect(steps.map((s) => s.action)).toEqual(['create-subscription', 'create-localization']);
  });
});
