/**
 * Kubernetes object operations shared by the Clusternet and KubernetesResource actions and by automatic
 * rollback: create (idempotent on resume), apply, patch, delete, replace.
 */
import { FleetError } from '../../errors.js';
import type { KubeGateway, KubeObject, KubeRef } from '../../kube/types.js';
import type { KubeObjectReference, ResourceOperation } from '../schema/types.js';
import { alreadyExists, createdBy, createdByExecution, describeObject, ownerOf, withMark, type OwnerMark } from './ownership.js';
import { ActionFailure, type ActionContext } from './types.js';

export const CLUSTERNET_API_VERSION = 'apps.clusternet.io/v1alpha1';

const API_VERSION_OF_KIND: Record<string, string> = {
  Job: 'batch/v1', Localization: CLUSTERNET_API_VERSION, Globalization: CLUSTERNET_API_VERSION, HelmChart: CLUSTERNET_API_VERSION,
  Subscription: CLUSTERNET_API_VERSION, ConfigMap: 'v1', Secret: 'v1', Service: 'v1', Deployment: 'apps/v1',
};

export function refOf(object: KubeObject): KubeObjectReference {
  return {
    apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '',
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
  };
}

export function kubeRefOf(ref: KubeObjectReference): KubeRef {
  const apiVersion = ref.apiVersion ?? API_VERSION_OF_KIND[ref.kind ?? ''];
  if (!apiVersion || !ref.kind || !ref.name) throw new ActionFailure(`incomplete object reference ${JSON.stringify(ref)}`, {}, 'VALIDATION');
  return { apiVersion, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof FleetError && error.code === code;
}

/** The mark of the objects the action running in `ctx` creates. */
export function markOf(ctx: Pick<ActionContext, 'executionId' | 'planName' | 'actionKey'>, actionName: string): OwnerMark {
  return { executionId: ctx.executionId, planName: ctx.planName, actionName, actionKey: ctx.actionKey };
}

/**
 * Performs the operation; returns the object as the server holds it (the requested one after a Delete). What a
 * Create or Replace makes carries `mark`; a Create meeting an object it did not make fails (see ownership.ts).
 */
export async function operate(kube: KubeGateway, object: KubeObject, operation: ResourceOperation, signal: AbortSignal, mark: OwnerMark): Promise<KubeObject> {
  const ref: KubeRef = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '', ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
  const options = { signal };
  try {
    switch (operation) {
      case 'Create':
        try {
          return await kube.create(withMark(object, mark), options);
        } catch (error) {
          if (!isCode(error, 'CONFLICT')) throw error;
          // A resumed attempt finds what its first attempt created; anything else is someone else's.
          const existing = await kube.get(ref, options);
          if (createdBy(existing, mark)) return existing;
          throw alreadyExists(existing, mark);
        }
    case 'Apply':
        return await kube.apply(object, options);
      case 'Patch':
        return await kube.patch(ref, { metadata: { labels: object.metadata.labels, annotations: object.metadata.annotations }, ...withoutMeta(object) }, 'merge', options);
      case 'Delete':
        await kube.delete(ref, options);
        return object;
      case 'Replace':
        await kube.delete(ref, options);
        return await kube.create(withMark(object, mark), options);
    }
  } catch (error) {
    if (isCode(error, 'NOT_FOUND') && operation !== 'Patch') {
      throw new ActionFailure(`${object.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: the cluster does not serve ${object.apiVersion} ${object.kind}`, {}, 'NOT_FOUND',
        object.apiVersion === CLUSTERNET_API_VERSION ? 'Install Clusternet (its apps.clusternet.io CRDs) in the target cluster.' : 'Install the CRD for this kind first.');
    }
    throw error;
  }
}

function withoutMeta(object: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = object;
  return rest;
}

/** Deletes what a reference names; true when it existed. */
export async function deleteRef(kube: KubeGateway, ref: KubeObjectReference, signal: AbortSignal): Promise<boolean> {
  return kube.delete(kubeRefOf(ref), { signal });
}

export type CreatedDeletion = { outcome: 'deleted' | 'gone' } | { outcome: 'foreign'; reason: string };

/**
 * Deletes the object `ref` names only if execution `executionId` created it: it carries that execution's mark, or
 * it is the very object recorded (same uid). Anything else under that name is someone else's and is left alone.
 */
export async function deleteCreated(kube: KubeGateway, ref: KubeObjectReference, executionId: string, signal: AbortSignal): Promise<CreatedDeletion> {
  const target = kubeRefOf(ref);
  const existing = await kube.find(target, { signal });
  if (!existing) return { outcome: 'gone' };
  const recorded = ref.uid !== undefined && existing.metadata.uid === ref.uid;
  if (!recorded && !createdByExecution(existing, executionId)) {
    return { outcome: 'foreign', reason: `${describeObject(existing)} was left untouched: ${ownerOf(existing, executionId)}` };
  }
  return { outcome: (await kube.delete(target, { signal })) ? 'deleted' : 'gone' };
}
