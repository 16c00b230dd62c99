/**
 * What a new Revert of an Execute undoes, shared by `fleetdeck dr revert` and rollbackOnFailure: the Execute's
 * actions still Succeeded, last first. An Execute with nothing left to undo is refused, naming the Revert that
 * already undid it, so a rollback that succeeded never runs twice.
 */
import { ValidationError } from '../../errors.js';
import { newExecutionId, type NewExecution } from '../store/executions.js';
import type { ActionStatusRecord, ExecutionRecord, PlanSnapshot } from '../store/types.js';
import { planRevert, stepActs } from './revert.js';

export interface RevertInput {
  parent: ExecutionRecord;
  /** The Execute's snapshot and overrides as stored (sealed), copied into the Revert. */
  storedSnapshot: PlanSnapshot;
  /** The same with secrets opened, to render the rollback steps. */
  snapshot: PlanSnapshot;
  params: Readonly<Record<string, string>>;
  statuses: readonly ActionStatusRecord[];
  /** Earlier Reverts of this Execute. */
  reverts: readonly ExecutionRecord[];
  actor: string;
  automatic?: boolean;
}

export function newRevert(input: RevertInput): NewExecution {
  const { parent } = input;
  const steps = planRevert(input.snapshot, parent, input.statuses, { undo: 'pending', params: input.params });
  if (!steps.some(stepActs)) {
    const done = [...input.reverts].reverse().find((r) => r.phase === 'Succeeded');
    if (done) {
      throw new ValidationError(
        `execution ${parent.id} was already reverted by ${done.id}: nothing is left to undo`,
        `See what it undid with \`fleetdeck dr status ${done.id}\`; a rollback that succeeded is never run again.`, 'execution');
    }
    throw new ValidationError(
      `execution ${parent.id} has nothing to undo: no action with an inverse is still Succeeded`,
      `HTTP actions without a rollback have no inverse; see \`fleetdeck dr status ${parent.id}\`.`, 'execution');
  }
  return {
    id: newExecutionId(`${parent.planName}-revert`), planNamespace: parent.planNamespace, planName: parent.planName, kind: 'Revert',
    params: parent.params, snapshot: input.storedSnapshot, parentId: parent.id, actor: input.actor, planSource: parent.planSource,
    automatic: input.automatic ?? false, actions: steps.map((s) => ({ ...s.key, type: s.type })),
  };
}
