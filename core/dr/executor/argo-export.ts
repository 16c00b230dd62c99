/**
 * `fleetdeck dr export-argo`: an Argo Workflow (argoproj.io/v1alpha1) following seed 004's mapping table —
 * each action a template (HTTP → http, Job → container, Clusternet and KubernetesResource → resource), the
 * plan's stages and each workflow's dependsOn as DAG tasks, parameters as spec.arguments.parameters.
 * Rollback is not part of it: as the seed says, a Revert is a separate Workflow.
 */
import type { KubeObject } from '../../kube/types.js';
import { redactAction } from '../render/redact.js';
import type { PlanRendering } from '../render/plan.js';
import type { Action } from '../schema/types.js';
import { CLUSTERNET_API_VERSION } from '../actions/kube-objects.js';
import { stringify } from 'yaml';

const dns = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);

function template(name: string, action: Action): Record<string, unknown> {
  const redacted = redactAction(action);
  const timeout = action.timeout ? { activeDeadlineSeconds: action.timeout } : {};
  const retry = action.retryPolicy ? { retryStrategy: { limit: String(action.retryPolicy.limit ?? 3), backoff: { duration: action.retryPolicy.interval ?? '5s', factor: action.retryPolicy.backoffMultiplier ?? '2' } } } : {};
  switch (action.type) {
    case 'HTTP': {
      const h = redacted.http!;
      const codes = h.successCodes?.length ? h.successCodes.map((c) => `response.statusCode == ${c}`).join(' || ') : 'response.statusCode >= 200 && response.statusCode < 300';
      return { name, ...timeout, ...retry, http: { url: h.url, method: h.method ?? 'GET', headers: Object.entries(h.headers ?? {}).map(([k, v]) => ({ name: k, value: v })), ...(h.body ? { body: h.body } : {}), successCondition: codes, ...(h.insecureSkipVerify ? { insecureSkipVerify: true } : {}) } };
    }
    case 'Job': {
      const podSpec = ((action.job?.template.spec.template as { spec?: { containers?: Record<string, unknown>[] } } | undefined)?.spec?.containers ?? [])[0] ?? {};
      return { name, ...timeout, ...retry, container: podSpec };
    }
    case 'KubernetesResource':
      return { name, ...timeout, ...retry, resource: { action: argoResourceAction(action.resource?.operation), manifest: action.resource?.manifest ?? '' } };
    default: {
      const config = action.localization ?? action.globalization ?? action.helmChart ?? action.subscription;
      const manifest = { apiVersion: CLUSTERNET_API_VERSION, kind: action.type, metadata: { name: config?.name, ...(config?.namespace ? { namespace: config.namespace } : {}) }, spec: config?.spec ?? {} };
      return { name, ...timeout, ...retry, resource: { action: argoResourceAction(config?.operation), manifest: stringify(manifest) } };
    }
  }
}

function argoResourceAction(operation: string | undefined): string {
  switch (operation) {
    case 'Apply': return 'apply';
    case 'Patch': return 'patch';
    case 'Delete': return 'delete';
    case 'Replace': return 'replace';
    default: return 'create';
  }
}

export function toArgoWorkflow(rendering: PlanRendering, options: { namespace?: string; serviceAccountName?: string; params?: Record<string, string> } = {}): KubeObject {
  const templates: Record<string, unknown>[] = [];
  const tasks: Record<string, unknown>[] = [];
  const lastTasksOfStage = new Map<string, string[]>();
  for (const stage of [...rendering.stages].sort((a, b) => a.level - b.level)) {
    const stageDeps = stage.dependsOn.flatMap((d) => lastTasksOfStage.get(d) ?? []);
    const finals: string[] = [];
    let previousWorkflowTasks: string[] = [];
    for (const wf of stage.workflows) {
      const prefix = dns(`${stage.name}-${wf.workflowRef.name}`);
      const entry = stage.parallel ? stageDeps : previousWorkflowTasks.length ? previousWorkflowTasks : stageDeps;
      const names = new Map(wf.actions.map((a) => [a.name, dns(`${prefix}-${a.name}`)]));
      for (const a of wf.actions) {
        const name = names.get(a.name)!;
        templates.push(template(name, a.action));
        const deps = a.dependsOn.length > 0 ? a.dependsOn.map((d) => names.get(d)!) : entry;
        tasks.push({ name, template: name, ...(deps.length ? { dependencies: deps } : {}), ...(a.when ? { when: a.when.source } : {}) });
      }
      const dependedOn = new Set(wf.actions.flatMap((a) => a.dependsOn));
      previousWorkflowTasks = wf.actions.filter((a) => !dependedOn.has(a.name)).map((a) => names.get(a.name)!);
      finals.push(...previousWorkflowTasks);
    }
    lastTasksOfStage.set(stage.name, finals);
  }
  const params = Object.entries(options.params ?? {}).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow',
    metadata: { generateName: `${dns(rendering.planName)}-`, ...(options.namespace ? { namespace: options.namespace } : {}), labels: { 'fleetdeck.io/dr-plan': dns(rendering.planName) } },
    spec: {
      entrypoint: 'main',
      ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
      ...(params.length ? { arguments: { parameters: params } } : {}),
      templates: [{ name: 'main', dag: { tasks } }, ...templates],
    },
  };
}
