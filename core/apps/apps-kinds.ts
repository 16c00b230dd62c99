/**
 * `apps apply` and `apps delete` as journaled operations (core/operations): one step per object, in the seed's
 * creation order (003 §6.1) or deletion order (§6.2). Each step checks before it acts, so `fleetdeck ops resume`
 * after an interruption continues where it stopped without creating anything twice; `fleetdeck ops undo` of an
 * apply removes what it created (pods first) and puts back what it changed, last step first.
 *
 * The params carry the App and the plugin ConfigMaps it was rendered with, so any process renders the same plan.
 */
import type { EventRelay } from '../db/notifications.js';
import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import type { OperationRunner } from '../operations/operation-runner.js';
import type { OperationKind, StepContext, StepDefinition, StepOutputs } from '../operations/types.js';
import { configMapState, handEditConflict } from './configmap-edits.js';
import { creationPlan, deleteRenderedResources, ensureNamespace, idOf, refOf, stopPods } from './lifecycle.js';
import { LABELS, MIDDLEWARE_API_VERSION } from './model.js';
import type { App } from './model.js';
import { indexPlugins } from './plugin.js';

export const APPS_APPLY = 'apps.apply';
export const APPS_DELETE = 'apps.delete';

export interface AppsKindDeps {
  fleet(): Promise<{ kube(cluster: string): Promise<KubeGateway> }>;
  relay?: EventRelay;
}

export interface AppsApplyParams {
  cluster: string;
  app: App;
  /** Every plugin ConfigMap the plan is rendered with: the cluster's, overridden by the file's. */
  plugins: KubeObject[];
  /** Of those, the ones from the file, which the operation applies first. */
  applyPlugins: string[];
}

export interface AppsDeleteParams {
  cluster: string;
  namespace: string;
  app: string;
  groups: string[];
  components: string[];
  /** How long pods may take to go; default 30 s. */
  podTimeoutMs?: number;
}

/** One operation per app: apply and delete of the same app exclude each other. */
export function appsOperationTarget(cluster: string, namespace: string, app: string): string {
  return `${cluster}:${namespace}/${app}`;
}

/** The object as it can be put back: without what the server owns. Secrets are never copied into the journal. */
function restorable(object: KubeObject): KubeObject | null {
  if (object.kind === 'Secret') return null;
  const { uid: _uid, resourceVersion: _rv, generation: _gen, creationTimestamp: _ct, managedFields: _mf, selfLink: _sl, ...metadata } = object.metadata;
  const { status: _status, ...rest } = object;
  return { ...rest, metadata } as KubeObject;
}

const isWorkload = (kind: string) => kind === 'Deployment' || kind === 'StatefulSet';

async function gatewayOf(deps: AppsKindDeps, cluster: string): Promise<KubeGateway> {
  return (await deps.fleet()).kube(cluster);
}

/**
 * Applies one object. Before writing, it journals whether the object is new and how it was before (ctx.note), so
 * an undo after a crash mid-step still knows what to remove or put back; a later attempt keeps the first answer.
 */
async function applyStep(kube: KubeGateway, object: KubeObject, ctx: StepContext): Promise<StepOutputs> {
  const before = await kube.find(refOf(object));
  const group = object.metadata.labels?.[LABELS.group];
  if (object.kind === 'ConfigMap' && group && before && ctx.journaled['created'] !== true) {
    const { decision } = await configMapState(kube, object);
    if (decision === 'conflict') throw handEditConflict(object, group);
    if (decision === 'keep-live') return { created: false, kept: true };
  }
  const first = 'created' in ctx.journaled;
  const outputs: StepOutputs = first ? { ...ctx.journaled }
    : { created: !before, previous: before ? restorable(before) : null, secret: object.kind === 'Secret' };
  if (!first) await ctx.note(outputs);
  await kube.apply(object);
  return outputs;
}

async function undoStep(kube: KubeGateway, object: KubeObject, outputs: StepOutputs, warn: (m: string) => void): Promise<void> {
  if (outputs['kept'] === true) return;
  if (outputs['created'] === true) {
    if (isWorkload(object.kind)) {
      const instance = object.metadata.labels?.[LABELS.instance];
      const selector = instance ? `${LABELS.instance}=${instance}` : `${LABELS.group}=${object.metadata.labels?.[LABELS.group] ?? ''}`;
      await stopPods(kube, object.metadata.namespace ?? 'default', selector, `${object.kind} ${object.metadata.name ?? ''}`);
    }
    await kube.delete(refOf(object));
    return;
  }
  const previous = outputs['previous'];
  if (previous && typeof previous === 'object') await putBack(kube, previous as KubeObject);
  else if (outputs['secret'] === true) warn(`${idOf(object)} existed before the apply and was left as applied (secrets are not journaled)`);
}

/** Replaces the object with how it was (PUT, so fields added since go away too), or recreates it. */
async function putBack(kube: KubeGateway, previous: KubeObject): Promise<void> {
  const current = await kube.find(refOf(previous));
  if (!current) {
    await kube.create(previous);
    return;
  }
  await kube.replace({ ...previous, metadata: { ...previous.metadata, resourceVersion: current.metadata.resourceVersion } });
}

/** The ordered objects of an apply: plugins from the file, then the App's plan. */
export function applyPlan(params: AppsApplyParams): KubeObject[] {
  const plugins = indexPlugins(params.plugins);
  const fromFile = params.plugins.filter((p) => params.applyPlugins.includes(`${p.metadata.namespace ?? 'default'}/${p.metadata.name ?? ''}`))
    .map((p) => {
      const { name, namespace, labels, annotations } = p.metadata;
      return { ...p, metadata: { name, namespace, labels, annotations } } as KubeObject;
    });
  return [...fromFile, ...creationPlan(params.app, plugins)];
}

export function appsApplyKind(deps: AppsKindDeps): OperationKind {
  return {
    kind: APPS_APPLY,
    steps(raw) {
      const params = raw as unknown as AppsApplyParams;
      const plan = applyPlan(params);
      const kube = () => gatewayOf(deps, params.cluster);
      const steps: StepDefinition[] = [
        {
          name: 'validate',
          undo: async () => undefined,
          // Everything that can be refused is refused here, before the first write.
          async run() {
            const gateway = await kube();
            for (const object of plan) {
              const group = object.metadata.labels?.[LABELS.group];
              if (object.kind !== 'ConfigMap' || !group) continue;
              if ((await configMapState(gateway, object)).decision === 'conflict') throw handEditConflict(object, group);
            }
            return { objects: plan.length };
          },
        },
        {
          name: `Namespace ${params.app.namespace}`,
          async run(ctx) {
            const gateway = await kube();
            const existed = Boolean(await gateway.find({ apiVersion: 'v1', kind: 'Namespace', name: params.app.namespace }));
            const created = ctx.journaled['created'] === true || !existed;
            await ctx.note({ created });
            await ensureNamespace(gateway, params.app.namespace);
            return { created };
          },
          // A namespace this apply created goes too, unless something else has moved in since.
          async undo(ctx, outputs) {
            if (outputs['created'] !== true) return;
            const gateway = await kube();
            for (const [apiVersion, kind] of [['v1', 'ConfigMap'], ['v1', 'Service'], ['v1', 'Pod'], ['apps/v1', 'Deployment']] as const) {
              const left = (await gateway.list(apiVersion, kind, { namespace: params.app.namespace })).items
                .filter((o) => !(kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt'));
              if (left.length > 0) {
                ctx.warn(`namespace ${params.app.namespace} was kept: it holds ${kind} ${left[0]?.metadata.name ?? ''} now`);
                return;
              }
            }
            await gateway.delete({ apiVersion: 'v1', kind: 'Namespace', name: params.app.namespace });
          },
        },
      ];
      for (const object of plan) {
        steps.push({
          name: idOf(object),
          run: async (ctx) => applyStep(await kube(), object, ctx),
          undo: async (ctx, outputs) => undoStep(await kube(), object, outputs, ctx.warn),
        });
      }
      steps.push({
        name: 'announce',
        undo: async () => undefined,
        async run() {
          await deps.relay?.publish({ topic: 'apps', type: 'apps.applied', target: `${params.app.namespace}/${params.app.name}` }).catch(() => undefined);
          return {};
        },
      });
      return steps;
    },
  };
}

export function appsDeleteKind(deps: AppsKindDeps): OperationKind {
  return {
    kind: APPS_DELETE,
    steps(raw) {
      const params = raw as unknown as AppsDeleteParams;
      const { namespace } = params;
      const kube = () => gatewayOf(deps, params.cluster);
      const remove = (kind: string, name: string): StepDefinition => ({
        name: `${kind} ${namespace}/${name}`,
        async run() {
          return { deleted: await (await kube()).delete({ apiVersion: MIDDLEWARE_API_VERSION, kind, namespace, name }) };
        },
      });
      return [
        // Pod → Deployment/Service/ConfigMap/PVC → Group → Component → App (seed 003 §6.2).
        ...params.groups.map((group): StepDefinition => ({
          name: `pods of ${group}`,
          async run() {
            const stopped = await stopPods(await kube(), namespace, `${LABELS.group}=${group}`, `group ${group}`, params.podTimeoutMs);
            return { pods: stopped.map((s) => s.name) };
          },
        })),
        ...params.groups.map((group): StepDefinition => ({
          name: `resources of ${group}`,
          async run() {
            const deleted = await deleteRenderedResources(await kube(), { name: group, namespace });
            return { deleted: deleted.map((s) => `${s.kind}/${s.name}`) };
          },
        })),
        ...params.groups.map((group) => remove('Group', group)),
        ...params.components.map((component) => remove('Component', component)),
        remove('App', params.app),
        {
          name: 'announce',
          async run() {
            await deps.relay?.publish({ topic: 'apps', type: 'apps.deleted', target: `${namespace}/${params.app}` }).catch(() => undefined);
            return {};
          },
        },
      ];
    },
  };
}

/** Registers apps.apply and apps.delete; every process that may resume them must (idempotent). */
export function registerAppsKinds(runner: OperationRunner, deps: AppsKindDeps): void {
  runner.register(appsApplyKind(deps));
  runner.register(appsDeleteKind(deps));
}

/** What a delete removes, read from the cluster: the App's groups and components by label, and those its spec names. */
export async function deletePlan(kube: KubeGateway, cluster: string, namespace: string, app: string): Promise<AppsDeleteParams> {
  const selector = `${LABELS.app}=${app}`;
  const list = async (kind: string) => {
    try {
      return (await kube.list(MIDDLEWARE_API_VERSION, kind, { namespace, labelSelector: selector })).items.map((o) => o.metadata.name ?? '');
    } catch (error) {
      if (error instanceof FleetError && error.code === 'NOT_FOUND') return [];
      throw error;
    }
  };
  const appObjectLive = await kube.find({ apiVersion: MIDDLEWARE_API_VERSION, kind: 'App', namespace, name: app }).catch(() => undefined);
  const [groups, components] = [new Set(await list('Group')), new Set(await list('Component'))];
  if (!appObjectLive && groups.size === 0 && components.size === 0) {
    throw new FleetError('NOT_FOUND', `app "${namespace}/${app}" does not exist in cluster ${cluster}`, 'List the apps with `fleetdeck apps ls`.', { app });
  }
  return { cluster, namespace, app, groups: [...groups].sort(), components: [...components].sort() };
}
