/**
 * Localization, Globalization, HelmChart and Subscription (Clusternet apps.clusternet.io) and KubernetesResource.
 *
 * Seed 004 §6: "监控 Localization Status 判断下发结果" — after creating or updating a Localization or a Subscription
 * the action watches its status (a watch backed by a poll, like the Job action) until it is decided, with this mapping:
 *
 * | Clusternet status                                                        | action                  |
 * | ------------------------------------------------------------------------ | ----------------------- |
 * | no status yet, or its conditions are older than the object's generation | Running (keep watching) |
 * | condition Ready (or Applied) True                                       | Succeeded               |
 * | Subscription: completedReleases ≥ desiredReleases > 0                   | Succeeded               |
 * | condition Ready (or Applied) False                                      | Failed (its message)    |
 * | the action's timeout passes first                                       | Failed (timeout)        |
 *
 * `waitReady: false` (BCS's field) opts out: the action succeeds once the API server accepted the object.
 * Globalization and HelmChart succeed on acceptance unless their status already reports a failure.
 */
import { parse as parseYaml } from 'yaml';
import type { KubeGateway, KubeObject, KubeRef } from '../../kube/types.js';
import type { Action, ActionOutputs, ClusternetAction } from '../schema/types.js';
import { operationOf } from '../dag/rollback.js';
import { CLUSTERNET_API_VERSION, markOf, operate, refOf } from './kube-objects.js';
import { ActionFailure, type ActionContext } from './types.js';
import { waitForObject, type Decision } from './wait.js';

const CLUSTERNET: Record<string, { field: 'localization' | 'globalization' | 'helmChart' | 'subscription'; output: keyof ActionOutputs; namespaced: boolean; watched: boolean }> = {
  Localization: { field: 'localization', output: 'localizationRef', namespaced: true, watched: true },
  Globalization: { field: 'globalization', output: 'globalizationRef', namespaced: false, watched: false },
  HelmChart: { field: 'helmChart', output: 'helmChartRef', namespaced: true, watched: false },
  Subscription: { field: 'subscription', output: 'subscriptionRef', namespaced: true, watched: true },
};

export type ClusternetState = { state: 'Running' } | { state: 'Succeeded' } | { state: 'Failed'; message: string };

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** The mapping above, as a pure function of the object the API server holds. */
export function clusternetState(object: KubeObject): ClusternetState {
  const status = (object.status ?? {}) as { conditions?: Condition[]; desiredReleases?: number; completedReleases?: number; observedGeneration?: number };
  const generation = object.metadata.generation;
  const current = (c: Condition): boolean => generation === undefined || c.observedGeneration === undefined || c.observedGeneration >= generation;
  const conditions = (status.conditions ?? []).filter(current);
  const decisive = conditions.find((c) => (c.type === 'Ready' || c.type === 'Applied') && (c.status === 'True' || c.status === 'False'));
  if (decisive?.status === 'False') {
    return { state: 'Failed', message: `${object.kind} ${object.metadata.name ?? ''}: ${decisive.type} is False${decisive.reason ? ` (${decisive.reason})` : ''}${decisive.message ? `: ${decisive.message}` : ''}` };
  }
  if (decisive?.status === 'True') return { state: 'Succeeded' };
  const desired = status.desiredReleases ?? 0;
  const stale = generation !== undefined && status.observedGeneration !== undefined && status.observedGeneration < generation;
  if (object.kind === 'Subscription' && !stale && desired > 0 && (status.completedReleases ?? 0) >= desired) return { state: 'Succeeded' };
  return { state: 'Running' };
}

function watchUntilDecided(kube: KubeGateway, ref: KubeRef, first: KubeObject, ctx: ActionContext, outputs: ActionOutputs): Promise<void> {
  return waitForObject(kube, ref, first, (object): Decision<void> => {
    if (!object) return { done: true, error: new ActionFailure(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} disappeared while its status was watched`, outputs) };
    const decided = clusternetState(object);
    if (decided.state === 'Succeeded') return { done: true, value: undefined };
    if (decided.state === 'Failed') return { done: true, error: new ActionFailure(decided.message, outputs) };
    return { done: false };
  }, { signal: ctx.signal });
}

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
  const operation = operationOf(action);
  const result = await operate(kube, object, operation, ctx.signal, markOf(ctx, action.name));
  const outputs = { [meta.output]: refOf(result) } as ActionOutputs;
  if (operation === 'Delete') return outputs;
  // Recorded before watching, so a Revert can delete it even if the watch is cut short.
  await ctx.record(outputs);
  const ref: KubeRef = { apiVersion: CLUSTERNET_API_VERSION, kind: action.type, name: config.name, ...(meta.namespaced ? { namespace: config.namespace ?? 'default' } : {}) };
  if (meta.watched && action.waitReady !== false) await watchUntilDecided(kube, ref, result, ctx, outputs);
  else {
    const decided = clusternetState(result);
    if (decided.state === 'Failed') throw new ActionFailure(decided.message, outputs);
  }
  return outputs;
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
  const result = await operate(kube, object, operationOf(action), ctx.signal, markOf(ctx, action.name));
  return { resourceRef: refOf(result) };
}
