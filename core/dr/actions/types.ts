/** What an action handler gets and returns. Handlers are idempotent: a resumed execution may call them again. */
import { FleetError, type ErrorCode } from '../../errors.js';
import type { KubeGateway } from '../../kube/types.js';
import type { Action, ActionOutputs, ActionType } from '../schema/types.js';

export interface ActionContext {
  planName: string;
  executionId: string;
  /** `stage/workflow/action`: the action's key in its execution, which the objects it creates are marked with. */
  actionKey: string;
  /** Aborted on timeout or cancellation; handlers stop waiting when it fires. */
  signal: AbortSignal;
  /** The action's timeout, for messages. */
  timeoutMs: number;
  /** The gateway of the cluster the action targets (the management cluster unless it names one). */
  kube(): Promise<KubeGateway>;
  /** Persists outputs known before the action finishes (a created Job's reference) so a resume re-attaches. */
  record(outputs: ActionOutputs): Promise<void>;
  /** Outputs recorded by an earlier attempt or process, if any. */
  previous: ActionOutputs;
  /** The workflow run's part of Job names ('' for a workflow's first run in the plan); see render/outputs.ts jobNameFor. */
  jobScope?: string;
  /** Secret values in play (secret header values, secret parameters): handlers keep them out of what they record. */
  secrets?: readonly string[];
  /**
   * Why the signal fired: `cancel` (requested) and `timeout` end the action, so what it started should stop;
   * `handover` (this runner lost the execution) does not: the next runner re-attaches to it. null while not aborted.
   */
  interruption?(): Interruption | null;
}

export type Interruption = 'cancel' | 'timeout' | 'handover';

export type ActionHandler = (action: Action, ctx: ActionContext) => Promise<ActionOutputs>;
export type ActionHandlers = Partial<Record<ActionType, ActionHandler>>;

/** A failed attempt, with what the action recorded before failing (e.g. the HTTP response). */
export class ActionFailure extends FleetError {
  constructor(message: string, readonly outputs: ActionOutputs = {}, code: ErrorCode = 'EXTERNAL', hint = 'See the action\'s error and outputs; fix the cause and execute again, or revert.') {
    super(code, message, hint);
    this.name = 'ActionFailure';
  }
}

/** A handler stopped by its signal, saying what it did about the work it had started (e.g. deleted its Job). */
export class ActionInterrupted extends ActionFailure {
  constructor(readonly note: string, outputs: ActionOutputs = {}) {
    super(note, outputs);
    this.name = 'ActionInterrupted';
  }
}

/** Thrown by a handler that found nothing it may do (e.g. a rollback whose object is someone else's now): Skipped. */
export class ActionSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ActionSkipped';
  }
}

/** Sleeps unless the signal fires first (then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(timer); reject(abortReason(signal)); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new ActionFailure('the action was aborted');
}
