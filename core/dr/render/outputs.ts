/**
 * What templates see as `.outputs.NAME`: the action's phase plus its recorded outputs
 * (`.outputs.run-sync-job.jobRef.name`, `.outputs.notify.httpResponse.statusCode`).
 * A dry run has no real outputs yet, so it predicts them from the rendered action.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { Action, ActionOutputs, ActionPhase, KubeObjectReference } from '../schema/types.js';

export type OutputView = { phase: ActionPhase } & ActionOutputs;

export function outputView(phase: ActionPhase, outputs: ActionOutputs | undefined): OutputView {
  return { phase, ...(outputs ?? {}) };
}

/**
 * The deterministic name of the Job an action creates, so a restarted executor re-attaches to it: plan, action,
 * the run's scope (empty for a workflow's first run in the plan, else stage and position, so a workflow used twice
 * gets two Jobs) and execution, shortened to a valid 63-character name with a hash when too long.
 */
export function jobNameFor(planName: string, actionName: string, executionId?: string, scope?: string): string {
  const base = [planName, actionName, scope, executionId].filter(Boolean).join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  if (base.length <= 63) return base;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `${base.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** The outputs a succeeded action would record, for the dry run. */
export function predictOutputs(action: Action, planName: string, executionId?: string, scope?: string): OutputView {
  const ref = (kind: string, apiVersion: string, name: string, namespace: string | undefined): KubeObjectReference => ({ apiVersion, kind, name, ...(namespace ? { namespace } : {}) });
  const clusternet = 'apps.clusternet.io/v1alpha1';
  switch (action.type) {
    case 'HTTP':
      return { phase: 'Succeeded', httpResponse: { statusCode: action.http?.successCodes?.[0] ?? 200, body: '' } };
    case 'Job':
      return { phase: 'Succeeded', jobRef: ref('Job', 'batch/v1', jobNameFor(planName, action.name, executionId, scope), action.job?.namespace ?? 'default') };
    case 'Localization':
      return { phase: 'Succeeded', localizationRef: ref('Localization', clusternet, action.localization?.name ?? '', action.localization?.namespace) };
    case 'Globalization':
      return { phase: 'Succeeded', globalizationRef: ref('Globalization', clusternet, action.globalization?.name ?? '', undefined) };
    case 'HelmChart':
      return { phase: 'Succeeded', helmChartRef: ref('HelmChart', clusternet, action.helmChart?.name ?? '', action.helmChart?.namespace) };
    case 'Subscription':
      return { phase: 'Succeeded', subscriptionRef: ref('Subscription', clusternet, action.subscription?.name ?? '', action.subscription?.namespace ?? 'default') };
    case 'KubernetesResource':
      return { phase: 'Succeeded', resourceRef: manifestRef(action.resource?.manifest ?? '') };
  }
}

/** The reference of the object a KubernetesResource manifest describes. */
export function manifestRef(manifest: string): KubeObjectReference {
  try {
    const doc: unknown = parseYaml(manifest);
    if (typeof doc !== 'object' || doc === null) return {};
    const d = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const out: KubeObjectReference = {};
    const fields: [keyof KubeObjectReference, string | undefined][] = [['apiVersion', s(d.apiVersion)], ['kind', s(d.kind)], ['name', s(d.metadata?.name)], ['namespace', s(d.metadata?.namespace)]];
    for (const [k, v] of fields) if (v !== undefined) out[k] = v;
    return out;
  } catch {
    return {};
  }
}
