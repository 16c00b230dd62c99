/** Localization, Globalization, HelmChart and Subscription (Clusternet apps.clusternet.io) and KubernetesResource. */
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../kube/types.js';
import type { Action, ActionOutputs, ClusternetAction } from '../schema/types.js';
import { operationOf } from '../dag/rollback.js';
import { CLUSTERNET_API_VERSION, operate, refOf } from './kube-objects.js';
import { ActionFailure, type ActionContext } from './types.js';

const CLUSTERNET: Record<string, { field: 'localization' | 'globalization' | 'helmChart' | 'subscription'; output: keyof ActionOutputs; namespaced: boolean }> = {
  Localization: { field: 'localization', output: 'localizationRef', namespaced: true },
  Globalization: { field: 'globalization', output: 'globalizationRef', namespaced: false },
  HelmChart: { field: 'helmChart', output: 'helmChartRef', namespaced: true },
  Subscription: { field: 'subscription', output: 'subscriptionRef', namespaced: true },
};

export async function runClusternetAction(action: Action, ctx: ActionContext): Promise<ActionOutputs> {
  const meta = CLUSTERNET[action.type];
  const config: ClusternetAction | undefined = meta ? action[meta.field] : undefined;
  if (!meta || !config) throw new ActionFailure(`action "${action.name}" has no ${action.type.toLowerCase()} configuration`, {}, 'VALIDATION');
  const object: KubeObject = {
    apiVersion: CLUSTERNET_API_VERSION, kind: action.type,
    metadata: { name: config.name, ...(meta.namespaced ? { namespace: config.namespace ?? 'default' } : {}) },
    spec: config.spec ?? {},
  };
  const kube = await ctx.kube();
  const result = await operate(kube, object, operationOf(action), ctx.signal);
  failOnNegativeStatus(result);
  return { [meta.output]: refOf(result) } as ActionOutputs;
}

/** Clusternet reports problems in status conditions; a Ready (or similar) condition that is False fails the action. */
function failOnNegativeStatus(object: KubeObject): void {
  const conditions = ((object.status ?? {}) as { conditions?: { type?: string; status?: string; message?: string }[] }).conditions ?? [];
  const bad = conditions.find((c) => c.status === 'False' && (c.type === 'Ready' || c.type === 'Applied'));
  if (bad) throw new ActionFailure(`${object.kind} ${object.metadata.name}: ${bad.type} is False${bad.message ? `: ${bad.message}` : ''}`, { });
}

export async function runResourceAction(action: Action, ctx: ActionContext): Promise<ActionOutputs> {
  if (!action.resource) throw new ActionFailure(`action "${action.name}" has no resource configuration`, {}, 'VALIDATION');
  let doc: unknown;
  try {
    doc = parseYaml(action.resource.manifest);
  } catch (error) {
    throw new ActionFailure(`action "${action.name}": the rendered manifest is not YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, {}, 'VALIDATION');
  }
  const object = doc as KubeObject;
  if (typeof object !== 'object' || object === null || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
    throw new ActionFailure(`action "${action.name}": the manifest needs apiVersion, kind and metadata.name`, {}, 'VALIDATION');
  }
  const kube = await ctx.kube();
  const result = await operate(kube, object, operationOf(action), ctx.signal);
  return { resourceRef: refOf(result) };
}
