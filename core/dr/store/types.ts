/** Rows of the DR tables as the rest of fleetdeck sees them. */
import type { ActionOutputs, ActionPhase, ActionType, DRPlan, DRPlanExecutionStatus, DRWorkflow } from '../schema/types.js';

export type ExecutionKind = 'Execute' | 'Revert';
/** BCS's spelling: its PhaseCancelled constant is "Canceled" (sql/008_dr_runs.sql renamed older rows). */
export type ExecutionPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';
export const ACTIVE_PHASES: readonly ExecutionPhase[] = ['Pending', 'Running'];
export const FINISHED_PHASES: readonly ExecutionPhase[] = ['Succeeded', 'Failed', 'Canceled'];

/** The plan and workflows an execution runs, frozen when it was created. */
export interface PlanSnapshot {
  plan: DRPlan;
  workflows: DRWorkflow[];
}

export interface ExecutionRecord {
  id: string;
  planNamespace: string;
  planName: string;
  kind: ExecutionKind;
  phase: ExecutionPhase;
  params: Record<string, string>;
  parentId: string | null;
  message: string | null;
  actor: string;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  leaseHolder: string | null;
  /** Where the plan came from: `stored` (fleetdeck dr apply) or `cluster/NAME` (a DRPlan custom resource). */
  planSource: string;
  /** A Revert started by the plan's rollbackOnFailure after its Execute failed, not by someone. */
  automatic: boolean;
}

/** Identifies one action of one workflow run of one stage. */
export interface ActionKey {
  stage: string;
  /**
   * The workflow run's key in its stage: `namespace/name` for a workflow's first reference in the stage,
   * `namespace/name#2`, `#3` … for further references (see render/plan.ts runKey), so a plan may use one
   * workflow twice in a stage and each run keeps its own statuses across a resume.
   */
  workflow: string;
  action: string;
}

export interface ActionStatusRecord extends ActionKey {
  position: number;
  type: ActionType;
  phase: ActionPhase;
  attempts: number;
  outputs: ActionOutputs;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What `status --json` and `execute --json` print: the record, the flat action list, and BCS's status shape. */
export interface ExecutionView extends ExecutionRecord {
  actions: ActionStatusRecord[];
  /** DRPlanExecution.status as BCS records it: stageStatuses → workflowExecutions → actionStatuses. */
  status: DRPlanExecutionStatus;
  /** Reverts of this Execute, oldest first (automatic ones started by rollbackOnFailure). */
  reverts: Pick<ExecutionRecord, 'id' | 'phase' | 'automatic'>[];
}

export function actionKeyString(key: ActionKey): string {
  return `${key.stage}/${key.workflow}/${key.action}`;
}
