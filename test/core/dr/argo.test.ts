import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toArgoRevertWorkflow, toArgoWorkflow } from '../../../core/dr/argo/index.js';
import { SecretBox } from '../../../core/dataplane/secret-box.js';
import { DrService } from '../../../core/dr/dr-service.js';
import { loadDRDocuments } from '../../../core/dr/schema/load.js';
import type { Action } from '../../../core/dr/schema/types.js';
import type { PlanSnapshot } from '../../../core/dr/store/types.js';
import { FleetError } from '../../../core/errors.js';
import type { KubeObject } from '../../../core/kube/types.js';
import { openTestDatabase } from '../../support/databases.js';
import { stagedPlanYaml, TEST_SECRET_KEY } from './executor/support.js';

const EXAMPLES = join(process.cwd(), 'core/dr/examples');

function snapshotOf(text: string): PlanSnapshot {
  const bundle = loadDRDocuments(text);
  return { plan: bundle.plans[0]!, workflows: bundle.workflows };
}

interface Task { name: string; template: string; dependencies?: string[]; when?: string }
type Template = Record<string, unknown> & { name: string };

function parts(workflow: KubeObject): { tasks: Task[]; templates: Map<string, Template>; parameters: Record<string, unknown>[] } {
  const spec = workflow.spec as { templates: Template[]; arguments?: { parameters: Record<string, unknown>[] }; entrypoint: string };
  const main = spec.templates.find((t) => t.name === spec.entrypoint)!;
  return { tasks: (main.dag as { tasks: Task[] }).tasks, templates: new Map(spec.templates.map((t) => [t.name, t])), parameters: spec.arguments?.parameters ?? [] };
}

describe('export-argo follows seed 004\'s mapping table', () => {
  const failover = snapshotOf(readFileSync(join(EXAMPLES, 'failover-succeeds.yaml'), 'utf8'));

  it('maps each action type to its template kind, and plan parameters to spec.arguments.parameters read as {{workflow.parameters.x}}', () => {
    const workflow = toArgoWorkflow(failover);
    expect([workflow.apiVersion, workflow.kind]).toEqual(['argoproj.io/v1alpha1', 'Workflow']);
    const { tasks, templates, parameters } = parts(workflow);
    const template = (action: string): Template => templates.get(tasks.find((t) => t.name.endsWith(`-${action}`))!.template)!;
    // | type: HTTP | http | · | type: Job | container | · | Localization, Subscription | resource (create) |
    expect(Object.keys(template('notify-start'))).toContain('http');
    expect(template('run-sync-job').container).toMatchObject({ name: 'sync', image: 'busybox:1.36' });
    expect(template('create-localization').resource).toMatchObject({ action: 'create' });
    expect(template('create-subscription').resource).toMatchObject({ action: 'create' });
    expect(template('record-dr-mode').resource).toMatchObject({ action: 'create' });
    // | parameters | spec.arguments.parameters |, with the plan's values and the workflow's defaults.
    expect(parameters).toEqual([
      { name: 'drClusterNamespace', value: 'clusternet-dr', default: 'clusternet-dr', description: 'ManagedCluster namespace of the DR cluster in Clusternet' },
      { name: 'feedNamespace', value: 'production', default: 'production' },
      { name: 'notifyURL', value: 'http://127.0.0.1:18080/hooks/dr', description: 'Webhook told when the failover starts and ends' },
      { name: 'replicas', value: '3', default: '3' },
    ]);
    expect((template('notify-start').http as { url: string }).url).toBe('{{workflow.parameters.notifyURL}}/start');
    expect((template('notify-start').http as { body: string }).body).toBe('{"plan": "failover-web", "event": "failover-start"}');
    const subscription = parse((template('create-subscription').resource as { manifest: string }).manifest) as { metadata: { namespace: string }; spec: { feeds: { namespace: string }[] } };
    expect(subscription.metadata.namespace).toBe('{{workflow.parameters.feedNamespace}}');
    expect(subscription.spec.feeds[0]!.namespace).toBe('{{workflow.parameters.feedNamespace}}');
    expect(JSON.stringify(template('run-sync-job').container)).toContain('{{workflow.parameters.drClusterNamespace}}');
    // Durations are whole seconds; outputs and `when` use Argo's own syntax.
    expect(template('notify-start').activeDeadlineSeconds).toBe(30);
    expect(template('create-subscription').activeDeadlineSeconds).toBe(120);
    expect(template('run-sync-job').activeDeadlineSeconds).toBe(300);
    expect(template('notify-start').retryStrategy).toEqual({ limit: 3, backoff: { duration: '1s', factor: 2 } });
    const sync = tasks.find((t) => t.name.endsWith('-run-sync-job'))!;
    const localization = tasks.find((t) => t.name.endsWith('-create-localization'))!;
    expect(sync.when).toBe(`'{{tasks.${localization.name}.status}}' == 'Succeeded'`);
    expect(sync.dependencies?.sort()).toEqual([localization.name, tasks.find((t) => t.name.endsWith('-create-subscription'))!.name].sort());
    expect((template('notify-done').http as { body: string }).body).toBe(`{"plan": "failover-web", "sync": "{{tasks.${sync.name}.status}}"}`);
  });

  it('uses --param values as the arguments, keeps secrets out (secretKeyRef, no value), and scopes a parameter per run when runs differ', () => {
    const u = 'http://hooks';
    const snapshot = snapshotOf(stagedPlanYaml('scoped', [{
      name: 'ping', parameters: [{ name: 'region', default: 'none' }, { name: 'token' }],
      actions: [{ name: 'ping', type: 'HTTP', http: { url: `${u}/{{ .params.region }}`, headers: { Authorization: 'Bearer {{ .params.token }}', 'X-Plain': 'yes' } } }],
    }], [{ name: 'fan', workflows: [{ name: 'ping', params: { region: 'east', token: 's3cret-value' } }, { name: 'ping', params: { region: 'west', token: 's3cret-value' } }] }]));
    const workflow = toArgoWorkflow(snapshot, { overrides: {} });
    const { templates, parameters } = parts(workflow);
    expect(parameters).toEqual([
      { name: 'region-fan-1', value: 'east', default: 'none' },
      { name: 'region-fan-2', value: 'west', default: 'none' },
      { name: 'token', description: 'secret: pass it at submit time (argo submit -p token=…)' },
    ]);
    const https = [...templates.values()].filter((t) => t.http).map((t) => t.http as { url: string; headers: unknown[] });
    expect(https.map((h) => h.url)).toEqual(['http://hooks/{{workflow.parameters.region-fan-1}}', 'http://hooks/{{workflow.parameters.region-fan-2}}']);
    expect(https[0]!.headers).toEqual([
      { name: 'Authorization', valueFrom: { secretKeyRef: { name: 'scoped-dr-secrets', key: 'authorization' } } },
      { name: 'X-Plain', value: 'yes' },
    ]);
    expect(JSON.stringify(workflow)).not.toContain('s3cret-value');
    const overridden = parts(toArgoWorkflow(snapshot, { overrides: { region: 'north' } })).parameters;
    expect(overridden.filter((p) => p.name === 'region')).toEqual([{ name: 'region', value: 'north', default: 'none' }]);
  });

  it('exports every container of a Job, and refuses what Argo cannot express, naming the field', () => {
    const job = (containers: string[], extra: Partial<Action> = {}): Action => ({
      name: 'multi', type: 'Job', ...extra,
      job: { template: { spec: { template: { spec: { restartPolicy: 'Never', volumes: [{ name: 'v', emptyDir: {} }], containers: containers.map((n) => ({ name: n, image: `img/${n}` })) } } } } },
    });
    const multi = parts(toArgoWorkflow(snapshotOf(stagedPlanYaml('multi', [{ name: 'multi', actions: [job(['a', 'b'])] }], [{ name: 's', workflows: [{ name: 'multi' }] }]))));
    const template = [...multi.templates.values()].find((t) => t.containerSet)!;
    expect(template.containerSet).toEqual({ containers: [{ name: 'a', image: 'img/a' }, { name: 'b', image: 'img/b' }] });
    expect(template.volumes).toEqual([{ name: 'v', emptyDir: {} }]);
    const refuse = (action: Action): string => {
      try {
        toArgoWorkflow(snapshotOf(stagedPlanYaml('bad', [{ name: 'bad', parameters: [{ name: 'x', default: 'v' }], actions: [action] }], [{ name: 's', workflows: [{ name: 'bad' }] }])));
        return 'exported';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refuse({ name: 'c', type: 'HTTP', http: { url: 'http://h/{{ if .params.x }}yes{{ end }}' } })).toBe('export-argo: default/bad: spec.actions[0].http.url: a "if" block over parameters or outputs has no Argo equivalent');
    expect(refuse({ name: 'c', type: 'HTTP', http: { url: 'http://h/{{ .params.x | upper }}' } })).toBe('export-argo: default/bad: spec.actions[0].http.url: "{{ .params.x | upper }}" pipes into "upper", which Argo templates cannot');
    expect(refuse({ name: 'c', type: 'HTTP', http: { url: 'http://h/' }, when: '{{ and .params.x .params.x }}' })).toContain('default/bad: spec.actions[0].when: the condition');
    expect(refuse({ name: 'c', type: 'HTTP', http: { url: 'http://h/' }, when: 'x == "v" || x == "w"' })).toBe('exported');
  });

  it('exports the Revert Workflow: explicit rollbacks and automatic deletes, last action first, HTTP and Job skipped', () => {
    const revert = toArgoRevertWorkflow(failover);
    const { tasks, templates } = parts(revert);
    expect(revert.metadata.generateName).toBe('failover-web-revert-');
    // notify-done (HTTP) and run-sync-job (an Argo container leaves no Job) are skipped; the rest is deleted, last first.
    expect(tasks.map((t) => t.name.replace(/^undo-failover-failover-web-/, ''))).toEqual(['create-subscription', 'create-localization', 'record-dr-mode']);
    expect(tasks.map((t) => t.dependencies ?? [])).toEqual([[], [tasks[0]!.name], [tasks[1]!.name]]);
    const manifest = (i: number) => parse((templates.get(tasks[i]!.template)!.resource as { manifest: string; action: string }).manifest) as KubeObject;
    expect(templates.get(tasks[0]!.template)!.resource).toMatchObject({ action: 'delete', flags: ['--ignore-not-found'] });
    expect(manifest(0)).toEqual({ apiVersion: 'apps.clusternet.io/v1alpha1', kind: 'Subscription', metadata: { name: 'web-dr-failover-web', namespace: '{{workflow.parameters.feedNamespace}}' } });
    expect(manifest(1).metadata).toEqual({ name: 'web-dr-failover-web', namespace: '{{workflow.parameters.drClusterNamespace}}' });
    expect(manifest(2)).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'dr-mode-failover-web' } });
    expect(revert.metadata.annotations?.['fleetdeck.io/skipped']).toContain('notify-done: HTTP has no automatic inverse');
    const switchover = parts(toArgoRevertWorkflow(snapshotOf(readFileSync(join(EXAMPLES, 'failover-rolls-back.yaml'), 'utf8'))));
    const announce = [...switchover.templates.values()].find((t) => (t.http as { url?: string } | undefined)?.url?.endsWith('/cancelled'));
    expect(announce?.http).toMatchObject({ url: '{{workflow.parameters.notifyURL}}/cancelled', method: 'POST' });
  });

  it('exports the Revert of one execution from what it recorded', async () => {
    const test = await openTestDatabase('pglite');
    try {
      const dr = new DrService({
        db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, secrets: SecretBox.fromKey(TEST_SECRET_KEY), planClusters: [],
        kube: async () => { throw new FleetError('UNAVAILABLE', 'none', 'none'); },
        handlers: {
          HTTP: async () => ({ httpResponse: { statusCode: 200, body: '' } }),
          KubernetesResource: async () => ({ resourceRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'made-by-run', namespace: 'ops' } }),
        },
      });
      await dr.apply(stagedPlanYaml('recorded', [{ name: 'recorded', actions: [
        { name: 'note', type: 'HTTP', http: { url: 'http://h/note' }, rollback: { name: 'unnote', type: 'HTTP', http: { url: 'http://h/unnote', method: 'DELETE' } } },
        { name: 'cm', type: 'KubernetesResource', resource: { manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n' } },
      ] }], [{ name: 's', workflows: [{ name: 'recorded' }] }]), 'recorded.yaml');
      const exec = await dr.startExecute('recorded');
      await dr.run(exec.id);
      const { tasks, templates } = parts(await dr.exportArgo('recorded', { operation: 'Revert', execution: exec.id }));
      expect(tasks.map((t) => t.name)).toEqual(['undo-s-cm', 'undo-s-note']);
      expect(parse((templates.get('undo-s-cm')!.resource as { manifest: string }).manifest)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made-by-run', namespace: 'ops' } });
      expect(templates.get('undo-s-note')!.http).toMatchObject({ url: 'http://h/unnote', method: 'DELETE' });
    } finally {
      await test.close();
    }
  });
});
