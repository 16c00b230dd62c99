/**
 * The plugin change flow (seed 003 §3.2): a changed plugin marks the Groups rendered from an older version, and a
 * roll re-renders a Group and replaces its instances with Kubernetes' rolling-update meaning of the strategy, taken
 * across the group's instances (one workload each):
 *   - partition: only instances whose ordinal is ≥ partition are replaced (the rest are held, as a StatefulSet
 *     partition holds them);
 *   - maxUnavailable: at most this many instances are below the desired count at any time;
 *   - maxSurge: at most this many instances above it. An instance's own pod cannot overlap with its replacement (it
 *     owns a ReadWriteOnce volume), so surge is a stand-in: a temporary extra instance of the new revision (same
 *     Service, scratch volume) that is ready before the instance it covers goes down, and is removed after.
 * Replicas go first (highest ordinal first), the master last. A wave replaces maxSurge + maxUnavailable instances,
 * the first maxSurge of them behind stand-ins, and is ready before the next begins.
 */
import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import { patchGroupStatus } from './agents.js';
import { isPlain, resolveIntOrPercent } from './fields.js';
import { handEditedConfigMaps, idOf, refOf, stopPods } from './lifecycle.js';
import { ANNOTATIONS, LABELS, MIDDLEWARE_API_VERSION, ordinalOf } from './model.js';
import type { Group, UpgradeStrategy } from './model.js';
import { parseGroup } from './parse.js';
import type { Plugin } from './plugin.js';
import { renderGroup } from './render.js';

export interface RolloutPlan {
  /** Waves of instances, in order. */
  batches: string[][];
  held: string[];
  /** maxSurge resolved: instances allowed above the desired count. */
  surge: number;
  /** maxUnavailable resolved: instances allowed below the desired count. */
  unavailable: number;
}

export function planRollout(instances: readonly { name: string; role: string }[], strategy: UpgradeStrategy): RolloutPlan {
  const total = instances.length;
  const surge = resolveIntOrPercent(strategy.maxSurge, total, true);
  const unavailable = resolveIntOrPercent(strategy.maxUnavailable, total, false);
  // Validation refuses 0/0; a percentage of a small group may still round to 0/0, and then one at a time it is.
  const batchSize = Math.max(1, surge + unavailable);
  const eligible = instances.filter((i) => ordinalOf(i.name) >= strategy.partition);
  const held = instances.filter((i) => ordinalOf(i.name) < strategy.partition).map((i) => i.name);
  const order = [...eligible].sort((a, b) => Number(a.role === 'master') - Number(b.role === 'master') || ordinalOf(b.name) - ordinalOf(a.name));
  const batches: string[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize).map((x) => x.name));
  return { batches, held, surge: surge + unavailable === 0 ? 0 : surge, unavailable: surge + unavailable === 0 ? 1 : unavailable };
}

/** Marks every Group of the plugin's type rendered from another version of it. Returns the names marked. */
export async function markGroupsForRender(kube: KubeGateway, plugin: Plugin): Promise<string[]> {
  const list = await kube.list(MIDDLEWARE_API_VERSION, 'Group', { labelSelector: `${LABELS.plugin}=${plugin.type}` });
  const marked: string[] = [];
  for (const object of list.items) {
    const group = parseGroup(object);
    if (group.spec.type !== plugin.type || group.status.renderedPluginHash === plugin.hash) continue;
    if (group.annotations[ANNOTATIONS.renderNeeded] === plugin.hash && group.status.renderNeeded) continue;
    await patchGroupStatus(kube, group, { renderNeeded: true }, { [ANNOTATIONS.renderNeeded]: plugin.hash });
    marked.push(`${group.namespace}/${group.name}`);
  }
  return marked;
}

export interface RolloutReport {
  group: string;
  namespace: string;
  pluginHash: string;
  batches: string[][];
  held: string[];
  /** Instances that were covered by a stand-in while they were replaced. */
  surged: string[];
}

export interface RollOptions {
  /** How long one wave (stand-ins, then instances) may take to become ready. Default 120 s. */
  batchTimeoutMs?: number;
  pollMs?: number;
  onBatch?(batch: readonly string[], index: number): void;
}

function workloadReady(deployment: KubeObject): boolean {
  const status = deployment['status'];
  const spec = deployment['spec'];
  if (!isPlain(status) || !isPlain(spec)) return false;
  const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
  const observed = typeof status['observedGeneration'] === 'number' ? status['observedGeneration'] : 0;
  return observed >= (deployment.metadata.generation ?? 0)
    && Number(status['readyReplicas'] ?? 0) >= replicas && Number(status['updatedReplicas'] ?? 0) >= replicas;
}

async function waitReady(kube: KubeGateway, namespace: string, names: readonly string[], options: RollOptions): Promise<void> {
  const deadline = Date.now() + (options.batchTimeoutMs ?? 120_000);
  const waiting = new Set(names);
  while (waiting.size > 0) {
    for (const name of [...waiting]) {
      const deployment = await kube.find({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
      if (deployment && workloadReady(deployment)) waiting.delete(name);
    }
    if (waiting.size === 0) return;
    if (Date.now() > deadline) {
      throw new FleetError('TIMEOUT', `instances ${[...waiting].join(', ')} did not become ready during the roll`,
        `Check their pods (\`kubectl -n ${namespace} get pods -l ${LABELS.group}\`); the roll stopped before the next wave, `
        + 'stand-ins (…-surge) keep serving until the group is rolled again.', { instances: [...waiting] });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}

export const standInName = (instance: string): string => `${instance}-surge`;

/**
 * A stand-in for `instance`: its new workload under another name and instance label (so neither adopts the other's
 * pods), with scratch volumes instead of the instance's claims. It matches the group's Service like any instance.
 */
export function standInFor(workload: KubeObject, instance: string): KubeObject {
  const name = standInName(instance);
  const copy = JSON.parse(JSON.stringify(workload)) as KubeObject;
  const relabel = (labels: unknown) => {
    if (isPlain(labels) && LABELS.instance in labels) labels[LABELS.instance] = name;
  };
  copy.metadata = {
    ...copy.metadata, name,
    labels: { ...(copy.metadata.labels ?? {}), [LABELS.instance]: name },
    annotations: { ...(copy.metadata.annotations ?? {}), [ANNOTATIONS.surgeFor]: instance },
  };
  const spec = isPlain(copy['spec']) ? copy['spec'] : {};
  spec['replicas'] = 1;
  relabel(isPlain(spec['selector']) ? spec['selector']['matchLabels'] : undefined);
  const template = isPlain(spec['template']) ? spec['template'] : {};
  relabel(isPlain(template['metadata']) ? template['metadata']['labels'] : undefined);
  const podSpec = isPlain(template['spec']) ? template['spec'] : {};
  if (Array.isArray(podSpec['volumes'])) {
    podSpec['volumes'] = podSpec['volumes'].map((v: unknown) => (isPlain(v) && 'persistentVolumeClaim' in v ? { name: v['name'], emptyDir: {} } : v));
  }
  return copy;
}

async function removeStandIns(kube: KubeGateway, group: Group, only?: readonly string[]): Promise<void> {
  const list = await kube.list('apps/v1', 'Deployment', { namespace: group.namespace, labelSelector: `${LABELS.group}=${group.name}` });
  for (const deployment of list.items) {
    const covers = deployment.metadata.annotations?.[ANNOTATIONS.surgeFor];
    if (!covers || (only && !only.includes(covers))) continue;
    // Its pod goes before the next wave's stand-ins start: never more than maxSurge extra instances.
    await stopPods(kube, group.namespace, `${LABELS.instance}=${deployment.metadata.labels?.[LABELS.instance] ?? ''}`, `stand-in ${deployment.metadata.name ?? ''}`);
    await kube.delete(refOf(deployment));
  }
}

/** Re-renders the group with `plugin` and rolls its instances; records the result in the Group status. */
export async function rollGroup(kube: KubeGateway, group: Group, plugin: Plugin, options: RollOptions = {}): Promise<RolloutReport> {
  const rendered = renderGroup(group, plugin);
  const workloads = new Map<string, KubeObject>();
  const others: KubeObject[] = [];
  for (const object of rendered.objects) {
    const instance = object.metadata.labels?.[LABELS.instance];
    if ((object.kind === 'Deployment' || object.kind === 'StatefulSet') && instance) workloads.set(instance, object);
    else others.push(object);
  }
  // Refused before any write when the render would undo hand edits of the group's ConfigMap.
  const keep = await handEditedConfigMaps(kube, others);
  for (const object of others) if (!keep.has(idOf(object))) await kube.apply(object);
  const roles = new Map((group.status.members ?? []).map((m) => [m.instance, m.role]));
  const instances = [...workloads.keys()].sort((a, b) => ordinalOf(a) - ordinalOf(b))
    .map((name) => ({ name, role: roles.get(name) ?? (ordinalOf(name) === 0 ? 'master' : 'replica') }));
  const plan = planRollout(instances, group.spec.upgradeStrategy);
  await patchGroupStatus(kube, group, { phase: 'Rolling' });
  await removeStandIns(kube, group);
  const surged: string[] = [];
  for (const [index, batch] of plan.batches.entries()) {
    options.onBatch?.(batch, index);
    const covered = batch.slice(0, plan.surge);
    const standIns = covered.map((instance) => standInFor(workloads.get(instance)!, instance));
    for (const standIn of standIns) await kube.apply(standIn);
    await waitReady(kube, group.namespace, standIns.map((s) => s.metadata.name ?? ''), options);
    for (const name of batch) await kube.apply(workloads.get(name)!);
    await waitReady(kube, group.namespace, batch, options);
    await removeStandIns(kube, group, covered);
    surged.push(...covered);
  }
  const finished = plan.held.length === 0;
  await patchGroupStatus(kube, group, {
    phase: 'Running',
    renderNeeded: !finished,
    ...(finished ? { renderedPluginHash: plugin.hash } : {}),
    rollout: { pluginHash: plugin.hash, updated: plan.batches.flat(), held: plan.held, finishedAt: new Date().toISOString() },
  }, finished ? { [ANNOTATIONS.renderNeeded]: null } : undefined);
  return { group: group.name, namespace: group.namespace, pluginHash: plugin.hash, batches: plan.batches, held: plan.held, surged };
}
