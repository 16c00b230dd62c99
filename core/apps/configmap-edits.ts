/**
 * A group's ConfigMap has two authors: fleetdeck renders it from the Group spec and the plugin, and people edit it
 * in the cluster (`kubectl edit`), which the controller hands to the agents. The rendered-hash annotation tells the
 * two apart, so a re-render never silently undoes a hand edit:
 *   - the new render hashes like the last one (spec unchanged), data edited  → keep the live data;
 *   - the new render differs (spec changed), data as last rendered          → apply the new render;
 *   - both changed                                                          → refuse, unless told to overwrite.
 */
import { ConflictError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import { ANNOTATIONS } from './model.js';
import { configMapDataHash } from './render.js';

export type ConfigMapDecision =
  /** Not in the cluster yet. */
  | 'create'
  /** The live data is what renders now. */
  | 'unchanged'
  /** The spec changed and nobody edited the live data: apply the render. */
  | 'apply'
  /** Edited by hand, spec unchanged: the live data stays. */
  | 'keep-live'
  /** Edited by hand and the spec changed. */
  | 'conflict';

export interface ConfigMapState {
  decision: ConfigMapDecision;
  live: KubeObject | undefined;
}

export function decideConfigMap(live: KubeObject | undefined, rendered: KubeObject): ConfigMapDecision {
  if (!live) return 'create';
  const renderedHash = rendered.metadata.annotations?.[ANNOTATIONS.renderedHash] ?? configMapDataHash(rendered);
  const liveHash = configMapDataHash(live);
  // Objects rendered before the annotation existed count as unedited.
  const lastRendered = live.metadata.annotations?.[ANNOTATIONS.renderedHash] ?? liveHash;
  const specChanged = renderedHash !== lastRendered;
  const edited = liveHash !== lastRendered;
  if (liveHash === renderedHash) return lastRendered === renderedHash ? 'unchanged' : 'apply';
  if (!specChanged) return edited ? 'keep-live' : 'unchanged';
  return edited ? 'conflict' : 'apply';
}

export async function configMapState(kube: KubeGateway, rendered: KubeObject): Promise<ConfigMapState> {
  const live = await kube.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace: rendered.metadata.namespace ?? 'default', name: rendered.metadata.name ?? '' });
  return { decision: decideConfigMap(live, rendered), live };
}

export function handEditConflict(rendered: KubeObject, group: string): ConflictError {
  const namespace = rendered.metadata.namespace ?? 'default';
  const name = rendered.metadata.name ?? '';
  return new ConflictError(
    `ConfigMap ${namespace}/${name} was edited by hand since fleetdeck rendered it, and group ${group}'s spec (or its plugin) changed too; `
    + 'applying the new render would undo the hand edits, so nothing was changed',
    `Keep one of them: copy the edits into the Group's spec.config (\`kubectl -n ${namespace} edit groups.middleware.io ${group}\`) and run the command again, `
    + `or discard the edits with \`fleetdeck apps reload ${group} --overwrite\`.`,
    { configMap: `${namespace}/${name}`, group });
}

/** True when the rendered ConfigMap should be written: created, or re-rendered over data nobody edited. */
export function shouldApply(decision: ConfigMapDecision, overwrite = false): boolean {
  return decision === 'create' || decision === 'apply' || (overwrite && decision === 'conflict');
}
