/**
 * The rollback plan of a Revert: the succeeded actions of an Execute, undone in the reverse order of their
 * completion. An action's explicit `rollback` runs when given; otherwise the automatic inverse of seed 004 and
 * BCS applies: delete what a Create made (Localization, Globalization, HelmChart, Subscription, KubernetesResource),
 * always delete a Job, and skip HTTP, which has no inverse.
 */
import type { Action, ActionOutputs, ActionStatus, ActionType, KubeObjectReference, ResourceOperation } from '../schema/types.js';

export type RollbackStep =
  | { kind: 'custom'; action: string; type: ActionType; rollback: Action }
  | { kind: 'delete'; action: string; type: ActionType; ref: KubeObjectReference; refs: KubeObjectReference[] }
  | { kind: 'skip'; action: string; type: ActionType; reason: string };

const OUTPUT_REF: Partial<Record<ActionType, keyof ActionOutputs>> = {
  Job: 'jobRef',
  Localization: 'localizationRef',
  Globalization: 'globalizationRef',
  HelmChart: 'helmChartRef',
  Subscription: 'subscriptionRef',
  KubernetesResource: 'resourceRef',
};

/** What the automatic inverse of an action is, without looking at outputs: `delete` or why it is skipped. */
export function automaticInverse(action: Action): { kind: 'delete' } | { kind: 'skip'; reason: string } {
  if (action.type === 'HTTP') return { kind: 'skip', reason: 'HTTP has no automatic inverse (define a rollback action to undo it)' };
  if (action.type === 'Job') return { kind: 'delete' };
  const operation = operationOf(action);
  if (operation === 'Create' || (operation === 'Replace' && action.type === 'Subscription')) return { kind: 'delete' };
  if (operation === 'Delete') return { kind: 'skip', reason: `a ${action.type} Delete is not undone automatically (the deleted object is not recreated)` };
  return { kind: 'skip', reason: `a ${action.type} ${operation} has no automatic inverse (define a rollback action)` };
}

export function operationOf(action: Action): ResourceOperation {
  const config = action.localization ?? action.globalization ?? action.helmChart ?? action.subscription ?? action.resource;
  return config?.operation ?? 'Create';
}

/**
 * @param actions the Execute's actions (rendered, so names of created objects are final)
 * @param statuses the Execute's action statuses; only Succeeded ones are undone
 */
export function planRollback(actions: readonly Action[], statuses: readonly ActionStatus[]): RollbackStep[] {
  const index = new Map(actions.map((a, i) => [a.name, i]));
  const succeeded = statuses
    .filter((s) => s.phase === 'Succeeded' && index.has(s.name))
    .sort((a, b) => (a.completionTime ?? '').localeCompare(b.completionTime ?? '') || (index.get(a.name) ?? 0) - (index.get(b.name) ?? 0));
  return succeeded.reverse().map((status) => stepFor(actions[index.get(status.name) ?? 0] as Action, status.outputs));
}

function stepFor(action: Action, outputs: ActionOutputs | undefined): RollbackStep {
  const base = { action: action.name, type: action.type };
  if (action.rollback) return { ...base, kind: 'custom', rollback: action.rollback };
  const inverse = automaticInverse(action);
  if (inverse.kind === 'skip') return { ...base, ...inverse };
  const refs = createdRefs(action, outputs);
  const [first] = refs;
  if (!first) return { ...base, kind: 'skip', reason: `no reference to the created ${action.type} was recorded, so there is nothing to delete` };
  return { ...base, kind: 'delete', ref: first, refs };
}

function createdRefs(action: Action, outputs: ActionOutputs | undefined): KubeObjectReference[] {
  const key = OUTPUT_REF[action.type];
  if (action.type === 'Subscription' && outputs?.subscriptionRefs?.length) return outputs.subscriptionRefs;
  const recorded = key ? (outputs?.[key] as KubeObjectReference | undefined) : undefined;
  if (recorded?.name) return [recorded];
  // Clusternet objects are named in the action itself, so they can be found even without recorded outputs.
  const config = action.localization ?? action.globalization ?? action.helmChart ?? action.subscription;
  if (config?.name) return [{ kind: action.type, name: config.name, ...(config.namespace ? { namespace: config.namespace } : {}) }];
  return [];
}
