/**
 * Creating and deleting an App in the seed's order (003 §6):
 *   create: App → Component → Group → ConfigMap/PVC/Service/Deployment → (pods, by the workload controller)
 *   delete: Pod → Deployment/Service/PVC/ConfigMap → Group → Component → App
 */
import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject, KubeRef } from '../kube/types.js';
import { appObject, componentObject, componentsOf, groupObject, groupsOf } from './expand.js';
import { LABELS, MIDDLEWARE_API_VERSION } from './model.js';
import type { App, Group } from './model.js';
import type { Plugin } from './plugin.js';
import { configMapState, handEditConflict } from './configmap-edits.js';
import { RENDERED_KIND_ORDER, renderGroup, sortForCreation } from './render.js';

export interface ObjectStep {
  kind: string;
  namespace?: string;
  name: string;
}

export const API_VERSIONS: Record<string, string> = {
  Pod: 'v1', ConfigMap: 'v1', Secret: 'v1', PersistentVolumeClaim: 'v1', Service: 'v1', Deployment: 'apps/v1', StatefulSet: 'apps/v1',
};

export function refOf(object: KubeObject): KubeRef {
  return {
    apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '',
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  };
}

export function stepOf(object: Pick<KubeObject, 'kind' | 'metadata'>): ObjectStep {
  return { kind: object.kind, name: object.metadata.name ?? '', ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
}

/**
 * Every object of an App in creation order. Groups take their plugin by type; rendering fails before anything is
 * written when a plugin is missing or a template is wrong.
 */
export function creationPlan(app: App, plugins: ReadonlyMap<string, Plugin>): KubeObject[] {
  const components = componentsOf(app);
  const groups = components.flatMap(groupsOf);
  const rendered = groups.flatMap((group) => {
    const plugin = plugins.get(group.spec.type);
    if (!plugin) {
      throw new FleetError('NOT_FOUND', `no plugin for type "${group.spec.type}" (group ${group.name} of app ${app.name})`,
        `Create the plugin ConfigMap labelled ${LABELS.plugin}=${group.spec.type} first.`, { type: group.spec.type });
    }
    return renderGroup(group, plugin).objects;
  });
  return [appObject(app), ...components.map(componentObject), ...groups.map(groupObject), ...sortForCreation(rendered)];
}

export async function ensureNamespace(kube: KubeGateway, namespace: string): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'Namespace', name: namespace };
  if (!(await kube.find(ref))) await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
}

/**
 * Applies the plan in order (server-side apply: idempotent, re-running converges). Returns what it applied. A group
 * ConfigMap edited by hand is kept when the render did not change, and refused (before any write) when both did.
 * Not journaled: `fleetdeck apps apply` runs the same plan as the `apps.apply` operation (apps-kinds.ts).
 */
export async function applyApp(kube: KubeGateway, app: App, plugins: ReadonlyMap<string, Plugin>): Promise<ObjectStep[]> {
  const plan = creationPlan(app, plugins);
  const keep = await handEditedConfigMaps(kube, plan);
  await ensureNamespace(kube, app.namespace);
  const steps: ObjectStep[] = [];
  for (const object of plan) {
    if (keep.has(idOf(object))) continue;
    await kube.apply(object);
    steps.push(stepOf(object));
  }
  return steps;
}

export const idOf = (object: Pick<KubeObject, 'kind' | 'metadata'>): string => `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;

/** The rendered group ConfigMaps whose live data was edited by hand and must be kept; throws when a render would undo edits. */
export async function handEditedConfigMaps(kube: KubeGateway, plan: readonly KubeObject[]): Promise<Set<string>> {
  const keep = new Set<string>();
  for (const object of plan) {
    const group = object.metadata.labels?.[LABELS.group];
    if (object.kind !== 'ConfigMap' || !group) continue;
    const { decision } = await configMapState(kube, object);
    if (decision === 'conflict') throw handEditConflict(object, group);
    if (decision === 'keep-live') keep.add(idOf(object));
  }
  return keep;
}

/** Applies one group's rendered objects in creation order (after a plugin or spec change). */
export async function applyRendered(kube: KubeGateway, objects: readonly KubeObject[]): Promise<ObjectStep[]> {
  const steps: ObjectStep[] = [];
  for (const object of sortForCreation(objects)) {
    await kube.apply(object);
    steps.push(stepOf(object));
  }
  return steps;
}

export async function listOrNone(kube: KubeGateway, apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<KubeObject[]> {
  try {
    return (await kube.list(apiVersion, kind, { namespace, labelSelector })).items;
  } catch (error) {
    // A cluster that does not serve a kind (no PVCs in a bare API server) has none of it to delete.
    if (error instanceof FleetError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
}

/** Waits until `check` is true, polling; false when the deadline passed first. */
async function until(check: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Stops the pods matching `selector`: their workloads are scaled to zero (so nothing recreates them), then any pod
 * left is deleted, until none is left. On timeout it throws, and nothing after this step must run: the seed
 * deletes pods before what they mount.
 */
export async function stopPods(kube: KubeGateway, namespace: string, selector: string, what: string, timeoutMs = 30_000): Promise<ObjectStep[]> {
  const steps: ObjectStep[] = [];
  for (const kind of ['Deployment', 'StatefulSet']) {
    for (const object of await listOrNone(kube, 'apps/v1', kind, namespace, selector)) {
      await kube.patch(refOf(object), { spec: { replicas: 0 } }, 'merge');
    }
  }
  let left: string[] = [];
  const gone = await until(async () => {
    const pods = await listOrNone(kube, 'v1', 'Pod', namespace, selector);
    left = pods.map((p) => p.metadata.name ?? '');
    for (const pod of pods) {
      if (await kube.delete(refOf(pod))) steps.push(stepOf(pod));
    }
    return pods.length === 0;
  }, timeoutMs);
  if (!gone) {
    throw new FleetError('TIMEOUT', `the pods of ${what} were still there after ${Math.round(timeoutMs / 1000)} s (${left.join(', ')}); nothing else was deleted`,
      `Find out what keeps them (\`kubectl -n ${namespace} get pods -l ${selector}\`: finalizers, a stuck node), then resume.`,
      { pods: left });
  }
  return steps;
}

/** The rendered kinds of a group, in reverse creation order (workloads first, ConfigMaps last). */
export async function deleteRenderedResources(kube: KubeGateway, group: Pick<Group, 'name' | 'namespace'>): Promise<ObjectStep[]> {
  const selector = `${LABELS.group}=${group.name}`;
  const steps: ObjectStep[] = [];
  for (const kind of [...RENDERED_KIND_ORDER].reverse()) {
    const apiVersion = API_VERSIONS[kind] ?? 'v1';
    for (const object of await listOrNone(kube, apiVersion, kind, group.namespace, selector)) {
      if (await kube.delete({ apiVersion, kind, namespace: group.namespace, name: object.metadata.name ?? '' })) steps.push(stepOf(object));
    }
  }
  return steps;
}

/**
 * Deletes a group's Kubernetes resources: its pods first, then the rendered kinds in reverse creation order. When
 * pods outlive `timeoutMs` it stops with a TIMEOUT error and leaves everything else in place.
 */
export async function deleteGroupResources(kube: KubeGateway, group: Pick<Group, 'name' | 'namespace'>, timeoutMs = 30_000): Promise<ObjectStep[]> {
  const pods = await stopPods(kube, group.namespace, `${LABELS.group}=${group.name}`, `group ${group.name}`, timeoutMs);
  return [...pods, ...(await deleteRenderedResources(kube, group))];
}

/** Deletes an App and everything it owns, in the seed's deletion order. Missing pieces are skipped. */
export async function deleteApp(kube: KubeGateway, namespace: string, appName: string): Promise<ObjectStep[]> {
  const selector = `${LABELS.app}=${appName}`;
  const groups = await listOrNone(kube, MIDDLEWARE_API_VERSION, 'Group', namespace, selector);
  const components = await listOrNone(kube, MIDDLEWARE_API_VERSION, 'Component', namespace, selector);
  const steps: ObjectStep[] = [];
  for (const group of groups) steps.push(...(await deleteGroupResources(kube, { name: group.metadata.name ?? '', namespace })));
  const remove = async (kind: string, name: string) => {
    if (await kube.delete({ apiVersion: MIDDLEWARE_API_VERSION, kind, namespace, name })) steps.push({ kind, namespace, name });
  };
  for (const group of groups) await remove('Group', group.metadata.name ?? '');
  for (const component of components) await remove('Component', component.metadata.name ?? '');
  await remove('App', appName);
  return steps;
}
