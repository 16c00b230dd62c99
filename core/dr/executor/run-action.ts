/**
 * One action, attempt by attempt: Running (attempts + 1) → Succeeded | Failed | Canceled, each transition one
 * statement fenced by the execution's lease. Retries follow the action's retryPolicy (exponential backoff); without
 * one an action runs once. Jobs are never retried here: their own backoffLimit does that, and a retry would
 * re-attach to the same Job. Known secret values are scrubbed from outputs and errors before they are recorded.
 */
import { FleetError } from '../../errors.js';
import type { KubeGateway } from '../../kube/types.js';
import type { ActionHandler, ActionContext } from '../actions/types.js';
import { ActionFailure, ActionInterrupted, ActionSkipped, sleep, type Interruption } from '../actions/types.js';
import { scrubDeep, scrubText, secretValues } from '../render/redact.js';
import { DEFAULT_ACTION_TIMEOUT, parseGoDuration } from '../schema/duration.js';
import type { Action, ActionOutputs } from '../schema/types.js';
import type { Queryable } from '../../db/database.js';
import { LeaseLostError, markFinished, markRunning, recordAttemptError, recordOutputs, type Fence } from '../store/action-statuses.js';
import { actionKeyString, type ActionKey } from '../store/types.js';
import { isCancellation } from './lease.js';

export interface ActionRunContext {
  db: Queryable;
  /** The execution whose statuses are written, and the lease holder every write is fenced by. */
  fence: Fence;
  executionId: string;
  planName: string;
  /** Fires when the execution is cancelled or this runner must stop. */
  signal: AbortSignal;
  kube(): Promise<KubeGateway>;
  /** The workflow run's part of Job names. */
  jobScope?: string;
  /** Secret parameter values of the run (and other known secrets), scrubbed from what is recorded. */
  secrets?: readonly string[];
}

export type ActionResult =
  | { phase: 'Succeeded'; outputs: ActionOutputs }
  | { phase: 'Skipped'; outputs: ActionOutputs; reason: string }
  | { phase: 'Failed' | 'Canceled'; outputs: ActionOutputs; error: string };

export function retryLimit(action: Action): number {
  if (!action.retryPolicy || action.type === 'Job') return 0;
  return Math.max(0, action.retryPolicy.limit ?? 3);
}

export function backoffMs(action: Action, retry: number): number {
  const interval = parseGoDuration(action.retryPolicy?.interval ?? '5s') ?? 5000;
  const multiplier = Number(action.retryPolicy?.backoffMultiplier ?? '2.0');
  return interval * Math.pow(Number.isFinite(multiplier) && multiplier >= 1 ? multiplier : 2, retry);
}

export function scrubSecrets(text: string, action: Action, extra: readonly string[] = []): string {
  return scrubText(text, [...secretValues(action), ...extra]);
}

export async function runAction(ctx: ActionRunContext, key: ActionKey, action: Action, handler: ActionHandler, previous: ActionOutputs): Promise<ActionResult> {
  const timeoutMs = parseGoDuration(action.timeout ?? DEFAULT_ACTION_TIMEOUT) ?? 300_000;
  const limit = retryLimit(action);
  const secrets = [...secretValues(action), ...(ctx.secrets ?? [])];
  const clean = <T>(value: T): T => scrubDeep(value, secrets);
  let outputs: ActionOutputs = { ...previous };
  for (let retry = 0; ; retry += 1) {
    if (ctx.signal.aborted) return stopped(ctx, key, outputs);
    const attempts = await markRunning(ctx.db, ctx.fence, key);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new ActionFailure(`timed out after ${action.timeout ?? DEFAULT_ACTION_TIMEOUT} (timeout)`, {}, 'TIMEOUT')), timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout.signal]);
    const handlerCtx: ActionContext = {
      planName: ctx.planName, executionId: ctx.executionId, actionKey: actionKeyString(key), signal, timeoutMs, previous: outputs, kube: ctx.kube,
      jobScope: ctx.jobScope ?? '', secrets,
      interruption: () => interruptionOf(ctx.signal, timeout.signal),
      record: async (recorded) => {
        outputs = clean({ ...outputs, ...recorded });
        await recordOutputs(ctx.db, ctx.fence, key, outputs);
      },
    };
    try {
      const result = await raceAbort(handler(action, handlerCtx), signal);
      outputs = clean({ ...outputs, ...result });
      await markFinished(ctx.db, ctx.fence, key, 'Succeeded', outputs, null);
      return { phase: 'Succeeded', outputs };
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      if (error instanceof ActionSkipped) {
        const reason = scrubText(error.reason, secrets);
        await markFinished(ctx.db, ctx.fence, key, 'Skipped', outputs, reason);
        return { phase: 'Skipped', outputs, reason };
      }
      if (error instanceof ActionFailure) outputs = clean({ ...outputs, ...error.outputs });
      const note = error instanceof ActionInterrupted && error.note ? `; ${scrubText(error.note, secrets)}` : '';
      if (ctx.signal.aborted) return stopped(ctx, key, outputs, note);
      const timedOut = timeout.signal.aborted;
      const message = scrubText(timedOut ? `timed out after ${action.timeout ?? DEFAULT_ACTION_TIMEOUT} (timeout)${note}` : describe(error), secrets);
      if (retry >= limit || attempts > limit + 1) return finish(ctx, key, 'Failed', outputs, limit > 0 ? `${message} (after ${attempts} attempts)` : message);
      await recordAttemptError(ctx.db, ctx.fence, key, `attempt ${attempts}: ${message}`);
      try {
        await sleep(backoffMs(action, retry), ctx.signal);
      } catch {
        return stopped(ctx, key, outputs);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The execution's signal fired: a requested cancellation records Canceled; any other stop (a lost lease) rethrows. */
async function stopped(ctx: ActionRunContext, key: ActionKey, outputs: ActionOutputs, note = ''): Promise<ActionResult> {
  if (!isCancellation(ctx.signal)) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('the execution stopped');
  return finish(ctx, key, 'Canceled', outputs, `canceled${note}`);
}

function interruptionOf(execution: AbortSignal, timeout: AbortSignal): Interruption | null {
  if (isCancellation(execution)) return 'cancel';
  if (execution.aborted) return 'handover';
  return timeout.aborted ? 'timeout' : null;
}

async function finish(ctx: ActionRunContext, key: ActionKey, phase: 'Failed' | 'Canceled', outputs: ActionOutputs, error: string): Promise<ActionResult> {
  await markFinished(ctx.db, ctx.fence, key, phase, outputs, error);
  return { phase, outputs, error };
}

function describe(error: unknown): string {
  if (error instanceof FleetError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** How long a handler whose signal fired may take to stop what it started (e.g. delete its Job) before it is left. */
const STOP_GRACE_MS = 10_000;

/**
 * The handler's outcome; once the signal fires, the handler has STOP_GRACE_MS to settle (and clean up) before it is
 * given up on, so a handler that ignores its signal cannot hold the execution.
 */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const reason = (): Error => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    let grace: NodeJS.Timeout | null = null;
    const onAbort = (): void => { grace = setTimeout(() => reject(reason()), STOP_GRACE_MS); };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (grace) clearTimeout(grace);
    });
  });
}
