/** Rows of the DR tables as the rest of fleetdeck sees them. */
import type { ActionOutputs, ActionPhase, ActionType, DRPlan, DRWorkflow } from '../schema/types.js';

export type ExecutionKind = 'Execute' | 'Revert';
export type ExecutionPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';
export const ACTIVE_PHASES: readonly ExecutionPhase[] = ['Pending', 'Running'];

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
}

/** Identifies one action of one workflow run of one stage. */
export interface ActionKey {
  stage: string;
  /** `namespace/name` of the workflow. */
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

/** What `status --json` and `execute --json` print. */
export interface ExecutionView extends ExecutionRecord {
  actions: ActionStatusRecord[];
}

export function actionKeyString(key: ActionKey): string {
  return `${key.stage}/${key.workflow}/${key.action}`;
}
