/**
 * Which execution created an object. Every object a DR action creates carries the execution's id and the plan's
 * name as labels and the action's key as an annotation. A Create that meets an existing object adopts it only when
 * that mark says this very action of this very execution created it (a resumed attempt); anything else belongs to
 * someone else and the action fails with AlreadyExists, leaving it untouched. A Revert deletes only objects
 * carrying the mark of the Execute it undoes, so an object someone else put under that name later is never touched.
 */
import type { KubeObject } from '../../kube/types.js';
import { ActionFailure } from './types.js';

export const EXECUTION_LABEL = 'fleetdeck.io/dr-execution';
export const PLAN_LABEL = 'fleetdeck.io/dr-plan';
export const ACTION_LABEL = 'fleetdeck.io/dr-action';
export const ACTION_KEY_ANNOTATION = 'fleetdeck.io/dr-action-key';

/** The execution and action that create an object. */
export interface OwnerMark {
  executionId: string;
  planName: string;
  /** The action's name (a label, for selecting). */
  actionName: string;
  /** `stage/workflow/action` (actionKeyString): unique within the execution. */
  actionKey: string;
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The object with this action's mark added to its labels and annotations. */
export function withMark(object: KubeObject, mark: OwnerMark): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...(object.metadata.labels ?? {}),
        [EXECUTION_LABEL]: labelValue(mark.executionId), [PLAN_LABEL]: labelValue(mark.planName), [ACTION_LABEL]: labelValue(mark.actionName),
      },
      annotations: { ...(object.metadata.annotations ?? {}), [ACTION_KEY_ANNOTATION]: mark.actionKey },
    },
  };
}

/** The execution an object is marked with, if any. */
export function markedExecution(object: KubeObject): string | undefined {
  return object.metadata.labels?.[EXECUTION_LABEL];
}

/** Created by this execution (any of its actions). */
export function createdByExecution(object: KubeObject, executionId: string): boolean {
  return markedExecution(object) === labelValue(executionId);
}

/** Created by this action of this execution: the only existing object a resumed Create may adopt. */
export function createdBy(object: KubeObject, mark: OwnerMark): boolean {
  return createdByExecution(object, mark.executionId) && object.metadata.annotations?.[ACTION_KEY_ANNOTATION] === mark.actionKey;
}

export function describeObject(object: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name ?? ''}`;
}

/** Who an object belongs to, in words, for messages. */
export function ownerOf(object: KubeObject, executionId: string): string {
  const owner = markedExecution(object);
  if (owner === undefined) return 'it was not created by a DR execution';
  if (owner === labelValue(executionId)) return `another action of this execution (${object.metadata.annotations?.[ACTION_KEY_ANNOTATION] ?? '?'}) created it`;
  return `execution ${owner} created it`;
}

/** The AlreadyExists failure of a Create whose object belongs to someone else. */
export function alreadyExists(existing: KubeObject, mark: OwnerMark): ActionFailure {
  const owner = markedExecution(existing);
  const other = owner !== undefined && owner !== labelValue(mark.executionId) ? owner : undefined;
  return new ActionFailure(
    `${describeObject(existing)} already exists (AlreadyExists): ${ownerOf(existing, mark.executionId)}; it was left untouched`,
    {}, 'CONFLICT',
    `A Create never takes over an existing object. Delete ${describeObject(existing)} if it is stale${other ? ` (or revert execution ${other})` : ''}, `
      + 'give the object another name, or use operation: Apply or Patch to change an existing object; then execute again.',
  );
}
