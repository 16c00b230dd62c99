/**
 * Runs an execution to its end in this process: takes its lease (a crashed holder's lease expires), runs the
 * Execute or Revert, and records the final phase. Safe to call again after a crash: finished actions are kept.
 * Every status write is fenced by the lease; a runner that lost it stops and reports `ran: false`.
 * An Execute that fails under a plan with rollbackOnFailure is finished and its Revert created in one transaction,
 * then the Revert runs here too (another process resumes it if this one dies).
 * An execution whose cancellation was requested before this process took it (its runner died) runs nothing: it is
 * finished as Canceled at once, so a resume never repeats the action the dead runner had in flight.
 */
import { errorMessage } from '../../errors.js';
import { scrubText } from '../render/redact.js';
import { openSealed } from '../secrets/sealing.js';
import { LeaseLostError, listActionStatuses, markFinished, markMany, skipPending, type Fence } from '../store/action-statuses.js';
import { asBusyError, claimExecution, finishExecution, getExecution, getSnapshot, insertExecutionIn, listReverts } from '../store/executions.js';
import type { ExecutionRecord, PlanSnapshot } from '../store/types.js';
import { stopAbandonedJobs } from './abandoned-jobs.js';
import { runExecute, type PhaseContext } from './execute.js';
import { defaultHolder, holdLease } from './lease.js';
import { runSecrets, renderSnapshot } from './plan-runs.js';
import { runRevert, stepActs, planRevert } from './revert.js';
import type { RunPhase } from './run-workflow.js';
import { newRevert } from './start-revert.js';
import { DEFAULT_LEASE_MS, DEFAULT_PARALLELISM, type ExecutorDeps, type RunOptions } from './types.js';

export type RunOutcome = { ran: true; execution: ExecutionRecord; revert?: ExecutionRecord } | { ran: false; execution: ExecutionRecord; reason: string };

export async function runExecution(deps: ExecutorDeps, id: string, options: RunOptions = {}): Promise<RunOutcome> {
  const holder = options.holder ?? defaultHolder();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const claimed = await claimExecution(deps.db, id, holder, leaseMs, options.steal ?? false);
  if (!claimed) {
    const execution = await getExecution(deps.db, id);
    const reason = execution.phase === 'Pending' || execution.phase === 'Running' ? `another process (${execution.leaseHolder ?? 'unknown'}) is running it` : `it is already ${execution.phase}`;
    return { ran: false, execution, reason };
  }
  if (claimed.cancelRequested) return finishCanceled(deps, claimed, holder);
  const fence: Fence = { executionId: id, holder };
  const lease = holdLease(deps.db, id, holder, leaseMs);
  const stopper = new AbortController();
  const signal = AbortSignal.any([lease.signal, stopper.signal]);
  const publish = (type: string, data: Record<string, unknown> = {}): void => {
    void deps.relay?.publish({ topic: 'dr', type, target: id, data: { plan: claimed.planName, ...data } }).catch(() => undefined);
  };
  let lastProgress = 0;
  let progressTimer: NodeJS.Timeout | null = null;
  // Action transitions are many; other processes hear about them at most every 250 ms.
  const onChange = (): void => {
    if (progressTimer) return;
    const wait = Math.max(0, lastProgress + 250 - Date.now());
    progressTimer = setTimeout(() => { progressTimer = null; lastProgress = Date.now(); publish('execution.progress'); }, wait);
  };
  publish('execution.running', { kind: claimed.kind });
  let phase: RunPhase = 'Failed';
  let message: string | null = null;
  let lost = false;
  let snapshot: PlanSnapshot | null = null;
  let params: Record<string, string> = {};
  /** The plan's secret values, to scrub from an error message (rendered only when there is one). */
  const secrets = (): string[] => {
    try {
      return snapshot ? runSecrets(snapshot, renderSnapshot(snapshot, params, id)) : [];
    } catch {
      return [];
    }
  };
  try {
    const what = `execution ${id}`;
    snapshot = openSealed(deps.secrets ?? null, await getSnapshot(deps.db, id), what, true);
    params = openSealed(deps.secrets ?? null, claimed.params, what, true);
    const ctx: PhaseContext = {
      deps, execution: claimed, snapshot, params, fence, signal, parallelism: options.parallelism ?? DEFAULT_PARALLELISM, onChange,
      stop: (reason) => { if (!stopper.signal.aborted) stopper.abort(reason); },
    };
    if (claimed.kind === 'Execute') phase = await runExecute(ctx);
    else {
      const parent = await getExecution(deps.db, claimed.parentId!);
      phase = await runRevert(ctx, parent, snapshot);
    }
    if (phase === 'Canceled') message = 'canceled';
  } catch (error) {
    phase = 'Failed';
    message = scrubText(errorMessage(error), secrets());
    if (error instanceof LeaseLostError || lease.lost) lost = true;
  } finally {
    lease.release();
    if (progressTimer) clearTimeout(progressTimer);
  }
  if (lost || lease.lost) return lostLease(deps, id);
  try {
    // Whatever never started is Skipped, so no status stays Pending in a finished execution.
    if (phase !== 'Succeeded') await skipPending(deps.db, fence);
  } catch (error) {
    if (error instanceof LeaseLostError) return lostLease(deps, id);
    throw error;
  }
  const rollback = claimed.kind === 'Execute' && phase === 'Failed' && snapshot?.plan.spec.rollbackOnFailure === true;
  const automatic: AutoRevert = rollback && snapshot ? await finishWithRevert(deps, claimed, snapshot, params, holder, message) : { kind: 'none' };
  if (automatic.kind === 'lost') return lostLease(deps, id);
  if (automatic.kind === 'none' && !(await finishExecution(deps.db, id, holder, phase, message))) return lostLease(deps, id);
  const revertId = automatic.kind === 'revert' ? automatic.id : null;
  const execution = await getExecution(deps.db, id);
  publish('execution.finished', { phase: execution.phase });
  if (revertId) {
    publish('execution.created', { kind: 'Revert', parent: id, automatic: true });
    const { holder: _holder, steal: _steal, ...rest } = options;
    const reverted = await runExecution(deps, revertId, rest);
    return { ran: true, execution, revert: reverted.execution };
  }
  return { ran: true, execution };
}

/**
 * Completes a cancellation whose runner is gone: takes the execution only if its lease expired (or nobody holds it),
 * and records it Canceled without running anything. Returns null when a live runner holds it (it stops on its own at
 * its next heartbeat) or when it is not active any more.
 */
export async function cancelAbandoned(deps: ExecutorDeps, id: string, options: Pick<RunOptions, 'holder' | 'leaseMs'> = {}): Promise<ExecutionRecord | null> {
  const holder = options.holder ?? defaultHolder();
  const claimed = await claimExecution(deps.db, id, holder, options.leaseMs ?? DEFAULT_LEASE_MS, false);
  if (!claimed) return null;
  const outcome = await finishCanceled(deps, claimed, holder);
  return outcome.ran ? outcome.execution : null;
}

/**
 * The execution was claimed with a cancellation already requested: the action the previous runner had in flight
 * becomes Canceled (a Job it started is stopped), whatever never started Skipped, and the execution Canceled. Each
 * write is fenced by the lease.
 */
async function finishCanceled(deps: ExecutorDeps, claimed: ExecutionRecord, holder: string): Promise<RunOutcome> {
  const id = claimed.id;
  const fence: Fence = { executionId: id, holder };
  try {
    const running = (await listActionStatuses(deps.db, id)).filter((s) => s.phase === 'Running');
    const jobNotes = await stopAbandonedJobs(deps, claimed, running);
    await markMany(deps.db, fence, running.filter((s) => !jobNotes.get(s)), 'Canceled', 'canceled (its runner had stopped)');
    for (const [status, note] of jobNotes) {
      if (note) await markFinished(deps.db, fence, status, 'Canceled', null, `canceled (its runner had stopped); ${note}`);
    }
    await skipPending(deps.db, fence);
    if (!(await finishExecution(deps.db, id, holder, 'Canceled', 'canceled'))) return lostLease(deps, id);
  } catch (error) {
    if (error instanceof LeaseLostError) return lostLease(deps, id);
    throw error;
  }
  const execution = await getExecution(deps.db, id);
  await deps.relay?.publish({ topic: 'dr', type: 'execution.finished', target: id, data: { plan: claimed.planName, phase: execution.phase } }).catch(() => undefined);
  return { ran: true, execution };
}

async function lostLease(deps: ExecutorDeps, id: string): Promise<RunOutcome> {
  return { ran: false, execution: await getExecution(deps.db, id), reason: 'another process took the execution over' };
}

/** `none`: nothing to undo, finish as usual; `lost`: the lease went, nothing was written; `revert`: finished, Revert created. */
type AutoRevert = { kind: 'none' } | { kind: 'lost' } | { kind: 'revert'; id: string };

/**
 * Finishes the failed Execute and creates its Revert in one transaction, so a crash in between cannot lose the
 * rollback.
 */
async function finishWithRevert(deps: ExecutorDeps, execute: ExecutionRecord, snapshot: PlanSnapshot, params: Record<string, string>, holder: string, message: string | null): Promise<AutoRevert> {
  const statuses = await listActionStatuses(deps.db, execute.id);
  const steps = planRevert(snapshot, execute, statuses, { undo: 'pending', params });
  if (!steps.some(stepActs)) return { kind: 'none' };
  const revert = newRevert({
    parent: execute, storedSnapshot: await getSnapshot(deps.db, execute.id), snapshot, params, statuses, reverts: await listReverts(deps.db, execute.id),
    actor: 'rollbackOnFailure', automatic: true,
  });
  try {
    return await deps.db.transaction(async (tx): Promise<AutoRevert> => {
      const failed = statuses.filter((x) => x.phase === 'Failed').map((x) => x.action);
      const why = message ?? (failed.length > 0 ? `${failed.join(', ')} failed` : 'failed');
      const finished = await finishExecution(tx, execute.id, holder, 'Failed', `${why}; rolled back automatically by ${revert.id} (rollbackOnFailure)`);
      if (!finished) return { kind: 'lost' };
      await insertExecutionIn(tx, revert);
      return { kind: 'revert', id: revert.id };
    });
  } catch (error) {
    throw await asBusyError(deps.db, error, revert);
  }
}
