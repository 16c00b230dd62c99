/** Loading and validating DR resources as BCS writes them; every refusal names the field. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRFileValidationError, DRValidationError, loadDRDocuments, validateWorkflow } from '../../../core/dr/schema/index.js';

const here = new URL('../../../core/dr/examples/', import.meta.url);

function workflow(actions: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRWorkflow', metadata: { name: 'wf' }, spec: { actions, ...extra } };
}
const http = (name: string, more: Record<string, unknown> = {}) => ({ name, type: 'HTTP', http: { url: 'http://x' }, ...more });

function issuesOf(doc: unknown): string[] {
  try {
    validateWorkflow(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(DRValidationError);
    expect((error as DRValidationError).code).toBe('VALIDATION');
    return (error as DRValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('BCS samples load unchanged', () => {
  it('loads the BCS http-healthcheck workflow and simple plan', () => {
    const bundle = loadDRDocuments(`apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata:
  name: http-healthcheck
  namespace: default
spec:
  parameters:
  - name: endpoint
    type: string
    required: true
  - name: expectedStatus
    type: number
    default: "200"
  actions:
  - name: check-primary
    type: HTTP
    http:
      url: "{{ .params.endpoint }}/health"
      method: GET
      successCodes: [200, 204]
    timeout: 10s
    retryPolicy:
      limit: 3
      interval: 5s
      backoffMultiplier: "2.0"
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata:
  name: simple-dr-plan
  namespace: default
spec:
  globalParams:
  - name: drCluster
    default: "dr-cluster-01"
  stages:
  - name: healthcheck
    workflows:
    - workflowRef:
        name: http-healthcheck
        namespace: default
      params:
      - name: endpoint
        default: "http://my-app.example.com"
  failurePolicy: Stop
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlanExecution
metadata:
  name: simple-dr-plan-revert-001
spec:
  planRef: simple-dr-plan
  operationType: Revert
  revertExecutionRef: simple-dr-plan-exec-001
`);
    expect(bundle.workflows.map((w) => w.metadata.name)).toEqual(['http-healthcheck']);
    expect(bundle.plans[0]?.spec.stages[0]?.workflows[0]?.workflowRef.name).toBe('http-healthcheck');
    expect(bundle.executions[0]?.spec.operationType).toBe('Revert');
    expect(bundle.resources.map((r) => r.kind)).toEqual(['DRWorkflow', 'DRPlan', 'DRPlanExecution']);
  });

  it.each(['failover-succeeds.yaml', 'failover-rolls-back.yaml'])('the shipped example %s is valid', (file) => {
    const bundle = loadDRDocuments(readFileSync(new URL(file, here), 'utf8'), { source: file });
    expect(bundle.plans).toHaveLength(1);
    expect(bundle.workflows).toHaveLength(1);
  });
});

describe('validation names the field path', () => {
  it('a missing http.url', () => {
    expect(issuesOf(workflow([http('a'), http('b'), { name: 'c', type: 'HTTP', http: { method: 'POST' } }]))).toEqual(['spec.actions[2].http.url: required']);
  });

  it('lists every problem in the message, not just the first', () => {
    let message = '';
    try {
      validateWorkflow(workflow([{ name: 'c', type: 'HTTP', http: {} }, { name: 'd', type: 'Job' }]));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('DRWorkflow "wf" is invalid (2 problems): spec.actions[0].http.url: required; spec.actions[1].job: required');
  });

  const cases: [string, unknown, string][] = [
    ['no actions', workflow([]), 'spec.actions: must have at least 1 item'],
    ['unknown action type', workflow([{ name: 'a', type: 'Shell' }]), 'spec.actions[0].type: unsupported value "Shell": must be one of HTTP, Job, Localization, Globalization, HelmChart, Subscription, KubernetesResource'],
    ['duplicate action names', workflow([http('a'), http('a')]), 'spec.actions[1].name: duplicate action name "a"'],
    ['unknown dependsOn', workflow([http('a'), http('b', { dependsOn: ['a', 'nope'] })]), 'spec.actions[1].dependsOn[1]: unknown action "nope" in dependsOn of "b"'],
    ['self dependency', workflow([http('a', { dependsOn: ['a'] })]), 'spec.actions[0].dependsOn: action "a" depends on itself'],
    ['a cycle', workflow([http('a', { dependsOn: ['c'] }), http('b', { dependsOn: ['a'] }), http('c', { dependsOn: ['b'] })]), 'spec.actions: dependency cycle: a → c → b → a'],
    ['config of another type', workflow([{ ...http('a'), job: { template: { spec: {} } } }]), 'spec.actions[0].job: not allowed for type HTTP'],
    ['missing config block', workflow([{ name: 'j', type: 'Job' }]), 'spec.actions[0].job: required'],
    ['job without template.spec', workflow([{ name: 'j', type: 'Job', job: { template: {} } }]), 'spec.actions[0].job.template.spec: required'],
    ['localization without namespace', workflow([{ name: 'l', type: 'Localization', localization: { name: 'x', spec: {} } }]), 'spec.actions[0].localization.namespace: required'],
    ['subscription create without feeds', workflow([{ name: 's', type: 'Subscription', subscription: { name: 'x', spec: { subscribers: [{}] } } }]), 'spec.actions[0].subscription.spec.feeds: required'],
    ['patch without rollback', workflow([{ name: 'l', type: 'Localization', localization: { operation: 'Patch', name: 'x', namespace: 'n', spec: {} } }]), 'spec.actions[0].rollback: required for a Localization Patch: it has no automatic inverse'],
    ['resource apply without rollback', workflow([{ name: 'r', type: 'KubernetesResource', resource: { operation: 'Apply', manifest: 'kind: X' } }]), 'spec.actions[0].rollback: required for a KubernetesResource Apply: it has no automatic inverse'],
    ['bad method', workflow([http('a', { http: { url: 'u', method: 'FETCH' } })]), 'spec.actions[0].http.method: unsupported value "FETCH": must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS'],
    ['bad status code', workflow([http('a', { http: { url: 'u', successCodes: [200, 99] } })]), 'spec.actions[0].http.successCodes[1]: must be an HTTP status code (100-599)'],
    ['bad timeout', workflow([http('a', { timeout: '5 minutes' })]), 'spec.actions[0].timeout: invalid value "5 minutes": use a Go duration such as 30s, 5m or 1h30m'],
    ['bad retry', workflow([http('a', { retryPolicy: { limit: -1, backoffMultiplier: 'fast' } })]), 'spec.actions[0].retryPolicy.limit: must be between 0 and 100, not -1'],
    ['template syntax error', workflow([http('a', { http: { url: '{{ .params.url' } })]), 'spec.actions[0].http.url: template syntax error at 1:1: unclosed action'],
    ['bad when', workflow([http('a', { when: 'mode in ["install"]' })]), 'spec.actions[0].when: unexpected "in"'],
    ['rollback with dependsOn', workflow([http('a', { rollback: { type: 'HTTP', http: { url: 'u' }, dependsOn: ['x'] } })]), 'spec.actions[0].rollback.dependsOn: not allowed in a rollback action'],
    ['parameter without name', workflow([http('a')], { parameters: [{ type: 'string' }] }), 'spec.parameters[0].name: required'],
    ['duplicate parameter', workflow([http('a')], { parameters: [{ name: 'x' }, { name: 'x' }] }), 'spec.parameters[1].name: duplicate parameter name "x"'],
    ['bad parameter type', workflow([http('a')], { parameters: [{ name: 'x', type: 'int' }] }), 'spec.parameters[0].type: unsupported value "int": must be one of string, number, boolean'],
    ['default not a number', workflow([http('a')], { parameters: [{ name: 'x', type: 'number', default: 'three' }] }), 'spec.parameters[0].default: "three" is not a number (type is number)'],
    ['value and valueFrom', workflow([http('a')], { parameters: [{ name: 'x', value: '1', valueFrom: { manifestRef: { apiVersion: 'v1', kind: 'ConfigMap', jsonPath: '{.data.x}' } } }] }), 'spec.parameters[0].valueFrom: value and valueFrom are mutually exclusive'],
    ['parameter name unusable in templates', workflow([http('a')], { parameters: [{ name: 'my-param' }] }), 'spec.parameters[0].name: invalid value "my-param": use letters, digits and "_", starting with a letter, so templates can read .params.NAME'],
    ['bad failure policy', workflow([http('a')], { failurePolicy: 'Retry' }), 'spec.failurePolicy: unsupported value "Retry": must be one of FailFast, Continue'],
  ];
  it.each(cases)('%s', (_name, doc, expected) => {
    expect(issuesOf(doc)).toContain(expected);
  });

  it('accepts a valid DAG with when, rollback and every action type', () => {
    expect(
      issuesOf(
        workflow([
          http('start'),
          { name: 'job', type: 'Job', dependsOn: ['start'], job: { template: { spec: { template: { spec: {} } } } }, when: "{{ .outputs.start.phase == 'Succeeded' }}" },
          { name: 'loc', type: 'Localization', dependsOn: ['start'], localization: { name: 'l', namespace: 'n', spec: { feed: {} } } },
          { name: 'sub', type: 'Subscription', dependsOn: ['loc'], subscription: { name: 's', spec: { feeds: [{}], subscribers: [{}] } } },
          { name: 'res', type: 'KubernetesResource', resource: { manifest: 'kind: ConfigMap' }, when: 'mode == "install" || mode == "upgrade"' },
          { name: 'patch', type: 'Localization', localization: { operation: 'Patch', name: 'l', namespace: 'n', spec: {} }, rollback: { type: 'Localization', localization: { operation: 'Patch', name: 'l', namespace: 'n', spec: {} } } },
        ]),
      ),
    ).toEqual([]);
  });
});

describe('plans, executions and files', () => {
  const plan = (spec: Record<string, unknown>) => `apiVersion: dr.bkbcs.tencent.com/v1alpha1\nkind: DRPlan\nmetadata:\n  name: p\nspec: ${JSON.stringify(spec)}\n`;
  const wf = 'apiVersion: dr.bkbcs.tencent.com/v1alpha1\nkind: DRWorkflow\nmetadata:\n  name: w\nspec:\n  actions:\n    - name: a\n      type: HTTP\n      http: {url: "http://x"}\n';

  it('refuses a plan whose workflowRef is in neither the file nor the known workflows', () => {
    expect(() => loadDRDocuments(plan({ stages: [{ name: 's', workflows: [{ workflowRef: { name: 'missing' } }] }] }))).toThrow('spec.stages[0].workflows[0].workflowRef.name: DRWorkflow "default/missing" not found');
    expect(loadDRDocuments(plan({ stages: [{ name: 's', workflows: [{ workflowRef: { name: 'elsewhere' } }] }] }), { knownWorkflows: [{ name: 'elsewhere', namespace: 'default' }] }).plans).toHaveLength(1);
  });

  it('refuses stage cycles and duplicate stage names', () => {
    const stages = [
      { name: 'a', dependsOn: ['b'], workflows: [{ workflowRef: { name: 'w' } }] },
      { name: 'b', dependsOn: ['a'], workflows: [{ workflowRef: { name: 'w' } }] },
      { name: 'c', workflows: [{ workflowRef: { name: 'w' } }] },
      { name: 'c', workflows: [{ workflowRef: { name: 'w' } }] },
    ];
    try {
      loadDRDocuments(`${wf}---\n${plan({ stages })}`);
      expect.unreachable();
    } catch (error) {
      const issues = (error as DRValidationError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(issues).toContain('spec.stages[3].name: duplicate stage name "c"');
      expect(issues).toContain('spec.stages: dependency cycle: a → b → a');
    }
  });

  it('refuses a Revert without revertExecutionRef and a reserved "mode" param', () => {
    const exec = (spec: Record<string, unknown>) => `apiVersion: dr.bkbcs.tencent.com/v1alpha1\nkind: DRPlanExecution\nmetadata: {name: e}\nspec: ${JSON.stringify(spec)}\n`;
    expect(() => loadDRDocuments(exec({ planRef: 'p', operationType: 'Revert' }))).toThrow('spec.revertExecutionRef: required');
    expect(() => loadDRDocuments(exec({ planRef: 'p', operationType: 'Execute', params: [{ name: 'mode', value: 'x' }] }))).toThrow('spec.params[0].name: "mode" is reserved');
  });

  it('names the file and line of a YAML syntax error, a wrong apiVersion and a duplicate', () => {
    expect(() => loadDRDocuments('a: [\n', { source: 'plan.yaml' })).toThrow(/^plan\.yaml:\d+:\d+: YAML syntax error/);
    expect(() => loadDRDocuments(wf.replace('dr.bkbcs.tencent.com/v1alpha1', 'v1'), { source: 'f.yaml' })).toThrow('DRWorkflow "w" (f.yaml:1) is invalid: apiVersion: unsupported value "v1"');
    expect(() => loadDRDocuments(`${wf}---\n${wf}`, { source: 'f.yaml' })).toThrow('defined twice in f.yaml (first at line 1)');
    // Several invalid resources: every one is reported, each with its own problems.
    const broken = wf.replace('dr.bkbcs.tencent.com/v1alpha1', 'v1');
    const error = (() => { try { loadDRDocuments(`${broken}---\n${broken.replace('name: w', 'name: w2')}`, { source: 'f.yaml' }); } catch (e) { return e; } return null; })();
    expect(error).toBeInstanceOf(DRFileValidationError);
    expect((error as DRFileValidationError).errors.map((e) => e.resource)).toEqual(['DRWorkflow "w" (f.yaml:1)', expect.stringMatching(/^DRWorkflow "w2" \(f\.yaml:\d+\)$/)]);
    expect((error as DRFileValidationError).message).toMatch(/^f\.yaml has 2 invalid resources: DRWorkflow "w" \(f\.yaml:1\) is invalid: apiVersion: unsupported value "v1".* \| DRWorkflow "w2"/);
  });

  it('normalises unquoted YAML numbers in parameter values to strings, as BCS declares them', () => {
    const bundle = loadDRDocuments(`${wf}  parameters:\n    - name: replicas\n      type: number\n      default: 3\n`);
    expect(bundle.workflows[0]?.spec.parameters?.[0]?.default).toBe('3');
  });
});

describe('unknown or misspelt fields are refused, naming the field, for every action type', () => {
  const job = { template: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } } };
  const cases: [string, unknown, string][] = [
    ['an action field', http('a', { retryPolcy: { limit: 1 } }), 'spec.actions[0].retryPolcy: unknown field (did you mean "retryPolicy"?)'],
    ['an HTTP field', { name: 'a', type: 'HTTP', http: { url: 'http://x', header: { A: 'b' } } }, 'spec.actions[0].http.header: unknown field (did you mean "headers"?)'],
    ['a Job field', { name: 'a', type: 'Job', job: { ...job, namespce: 'x' } }, 'spec.actions[0].job.namespce: unknown field (did you mean "namespace"?)'],
    ['a Localization field', { name: 'a', type: 'Localization', localization: { name: 'l', namespace: 'n', spec: {}, opertion: 'Create' } }, 'spec.actions[0].localization.opertion: unknown field (did you mean "operation"?)'],
    ['a Subscription field', { name: 'a', type: 'Subscription', subscription: { name: 's', spec: { feeds: [{}], subscribers: [{}] }, namespaces: 'x' } }, 'spec.actions[0].subscription.namespaces: unknown field (did you mean "namespace"?)'],
    ['a Globalization namespace', { name: 'a', type: 'Globalization', globalization: { name: 'g', namespace: 'x', spec: {} } }, 'spec.actions[0].globalization.namespace: unknown field'],
    ['a HelmChart field', { name: 'a', type: 'HelmChart', helmChart: { name: 'h', namespace: 'n', spec: {}, chart: 'x' } }, 'spec.actions[0].helmChart.chart: unknown field'],
    ['a KubernetesResource field', { name: 'a', type: 'KubernetesResource', resource: { manifests: 'x' } }, 'spec.actions[0].resource.manifests: unknown field (did you mean "manifest"?)'],
    ['a rollback field', http('a', { rollback: { type: 'HTTP', http: { url: 'http://x' }, timout: '1s' } }), 'spec.actions[0].rollback.timout: unknown field (did you mean "timeout"?)'],
    ['a retry policy field', http('a', { retryPolicy: { limit: 1, backoff: '2' } }), 'spec.actions[0].retryPolicy.backoff: unknown field'],
  ];
  for (const [what, action, expected] of cases) {
    it(what, () => {
      const issues = issuesOf(workflow([action]));
      expect(issues.some((i) => i.startsWith(expected))).toBe(true);
    });
  }

  it('in the document, the workflow spec, its parameters and a plan\'s stages too', () => {
    expect(issuesOf({ ...(workflow([http('a')]) as object), specs: {} })).toContain('specs: unknown field (did you mean "spec"?); allowed: apiVersion, kind, metadata, spec, status');
    expect(issuesOf(workflow([http('a')], { failurPolicy: 'Continue' }))[0]).toMatch(/^spec.failurPolicy: unknown field \(did you mean "failurePolicy"\?\)/);
    expect(issuesOf(workflow([http('a')], { parameters: [{ name: 'p', defualt: 'x' }] }))[0]).toMatch(/^spec.parameters\[0\].defualt: unknown field \(did you mean "default"\?\)/);
    expect(() => loadDRDocuments(`apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata:
  name: p
spec:
  stages:
    - name: s
      paralel: true
      workflows:
        - workflowRef: {name: w}
`, { checkReferences: 'none' })).toThrow('spec.stages[0].paralel: unknown field (did you mean "parallel"?)');
  });
});

