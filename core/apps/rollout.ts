/**
 * The plugin change flow (seed 003 §3.2): a changed plugin marks the Groups rendered from an older version, and a
 * roll re-renders a Group and replaces its instances in batches:
 *   - only instances whose ordinal is ≥ partition are replaced (the rest are held, as a StatefulSet partition holds);
 *   - replicas go first (highest ordinal first), the master last;
 *   - at most maxSurge + maxUnavailable instances are replaced at once, each batch ready before the next starts.
 */
import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import { patchGroupStatus } from './agents.js';
import { isPlain, resolveIntOrPercent } from './fields.js';
import { ANNOTATIONS, LABELS, MIDDLEWARE_API_VERSION, ordinalOf } from './model.js';
import type { Group, UpgradeStrategy } from './model.js';
import { parseGroup } from './parse.js';
import type { Plugin } from './plugin.js';
import { renderGroup } from './render.js';

export interface RolloutPlan {
  batches: string[][];
  held: string[];
}

export function planRollout(instances: readonly { name: string; role: string }[], strategy: UpgradeStrategy): RolloutPlan {
  const total = instances.length;
  const batchSize = Math.max(1, resolveIntOrPercent(strategy.maxSurge, total, true) + resolveIntOrPercent(strategy.maxUnavailable, total, false));
  const eligible = instances.filter((i) => ordinalOf(i.name) >= strategy.partition);
  const held = instances.filter((i) => ordinalOf(i.name) < strategy.partition).map((i) => i.name);
  const order = [...eligible].sort((a, b) => Number(a.role === 'master') - Number(b.role === 'master') || ordinalOf(b.name) - ordinalOf(a.name));
  const batches: string[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize).map((x) => x.name));
  return { batches, held };
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
}

export interface RollOptions {
  /** How long one batch may take to become ready. Default 120 s. */
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
        `Check their pods (\`kubectl -n ${namespace} get pods -l ${LABELS.instance}\`); the roll stopped before the next batch.`, { instances: [...waiting] });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}

/** Re-renders the group with `plugin` and rolls its instances; records the result in the Group status. */
export async function rollGroup(kube: KubeGateway, group: Group, plugin: Plugin, options: RollOptions = {}): Promise<RolloutReport> {
  const rendered = renderGroup(group, plugin);
  const workloads = new Map<string, KubeObject>();
  for (const object of rendered.objects) {
    const instance = object.metadata.labels?.[LABELS.instance];
    if ((object.kind === 'Deployment' || object.kind === 'StatefulSet') && instance) workloads.set(instance, object);
    else await kube.apply(object);
  }
  const roles = new Map((group.status.members ?? []).map((m) => [m.instance, m.role]));
  const instances = [...workloads.keys()].sort((a, b) => ordinalOf(a) - ordinalOf(b))
    .map((name) => ({ name, role: roles.get(name) ?? (ordinalOf(name) === 0 ? 'master' : 'replica') }));
  const plan = planRollout(instances, group.spec.upgradeStrategy);
  await patchGroupStatus(kube, group, { phase: 'Rolling' });
  for (const [index, batch] of plan.batches.entries()) {
    options.onBatch?.(batch, index);
    for (const name of batch) await kube.apply(workloads.get(name)!);
    await waitReady(kube, group.namespace, batch, options);
  }
  const finished = plan.held.length === 0;
  await patchGroupStatus(kube, group, {
    phase: 'Running',
    renderNeeded: !finished,
    ...(finished ? { renderedPluginHash: plugin.hash } : {}),
    rollout: { pluginHash: plugin.hash, updated: plan.batches.flat(), held: plan.held, finishedAt: new Date().toISOString() },
  }, finished ? { [ANNOTATIONS.renderNeeded]: null } : undefined);
  return { group: group.name, namespace: group.namespace, pluginHash: plugin.hash, batches: plan.batches, held: plan.held };
}
