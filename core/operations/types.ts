/**
 * An operation is interruptible work made of ordered steps (creating or deleting an environment, a repair).
 * Each step records started / succeeded / failed with its outputs. A restarted process resumes at the first
 * step that has not succeeded; every step checks before it acts, so a replay never creates anything twice.
 */
export type OperationStatus = 'running' | 'succeeded' | 'failed' | 'undoing' | 'undone' | 'undo_failed';
export type StepStatus = 'pending' | 'started' | 'succeeded' | 'failed' | 'skipped' | 'compensating' | 'compensated';

export type StepOutputs = Record<string, unknown>;

export interface StepRecord {
  position: number;
  name: string;
  status: StepStatus;
  attempts: number;
  outputs: StepOutputs;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface OperationRecord {
  id: number;
  kind: string;
  target: string;
  status: OperationStatus;
  params: Record<string, unknown>;
  error: string | null;
  hint: string | null;
  warnings: string[];
  actor: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  steps: StepRecord[];
}

export interface StepContext {
  operationId: number;
  params: Record<string, unknown>;
  /** Outputs of the steps that succeeded before this one, by step name. */
  outputs: Record<string, StepOutputs>;
  /** 1 the first time this step runs; more when a resume runs it again after a failure or a crash. */
  attempt: number;
  /** What earlier attempts of this step noted (see `note`); empty on a first attempt. */
  journaled: StepOutputs;
  /**
   * Journals outputs of the running step at once, before its effect: e.g. that it is about to create something, so
   * an undo after a crash or a failure knows the thing is this operation's. Kept when the step later succeeds.
   */
  note(outputs: StepOutputs): Promise<void>;
  /** Records a warning on the operation without failing it. */
  warn(message: string): void;
}

export interface StepDefinition {
  name: string;
  /** Idempotent: checks whether its effect exists before acting. Returns outputs for later steps and undo. */
  run(ctx: StepContext): Promise<StepOutputs | void>;
  /** Compensates a succeeded step; idempotent. Steps without undo are left as they are by `ops undo`. */
  undo?(ctx: StepContext, outputs: StepOutputs): Promise<void>;
  /** A failure of this step is a warning, and the operation goes on (Git during delete). */
  failureIsWarning?: boolean;
}

/** Turns an operation's stored params back into its steps, so any process can resume it. */
export interface OperationKind {
  kind: string;
  steps(params: Record<string, unknown>): StepDefinition[];
}
