/**
 * Runs an execution to its end in this process: takes its lease (a crashed holder's lease expires), runs the
 * Execute or Revert, and records the final phase. Safe to call again after a crash: finished actions are kept.
 */
import { errorMessage } from '../../errors.js';
import { finishExecution, claimExecution, getExecution, getSnapshot } from '../store/executions.js';
import { markMany } from '../store/action-statuses.js';
import type { ExecutionRecord } from '../store/types.js';
import { runExecute, type PhaseContext } from './execute.js';
import { defaultHolder, holdLease } from './lease.js';
import { runRevert } from './revert.js';
import type { RunPhase } from './run-workflow.js';
import { DEFAULT_LEASE_MS, DEFAULT_PARALLELISM, type ExecutorDeps, type RunOptions } from './types.js';

export type RunOutcome = { ran: true; execution: ExecutionRecord } | { ran: false; execution: ExecutionRecord; reason: string };

export async function runExecution(deps: ExecutorDeps, id: string, options: RunOptions = {}): Promise<RunOutcome> {
  const holder = options.holder ?? defaultHolder();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const claimed = await claimExecution(deps.db, id, holder, leaseMs, options.steal ?? false);
  if (!claimed) {
    const execution = await getExecution(deps.db, id);
    const reason = execution.phase === 'Pending' || execution.phase === 'Running' ? `another process (${execution.leaseHolder ?? 'unknown'}) is running it` : `it is already ${execution.phase}`;
    return { ran: false, execution, reason };
  }
  const lease = holdLease(deps.db, id, holder, leaseMs);
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
  let phase: RunPhase | 'Failed' = 'Failed';
  let message: string | null = null;
  try {
    const snapshot = await getSnapshot(deps.db, id);
    const ctx: PhaseContext = { deps, execution: claimed, snapshot, signal: lease.signal, parallelism: options.parallelism ?? DEFAULT_PARALLELISM, onChange };
    if (claimed.kind === 'Execute') phase = await runExecute(ctx);
    else {
      const parent = await getExecution(deps.db, claimed.parentId!);
      phase = await runRevert(ctx, parent, await getSnapshot(deps.db, parent.id));
    }
    if (phase === 'Cancelled') message = 'cancelled';
  } catch (error) {
    phase = 'Failed';
    message = errorMessage(error);
  } finally {
    lease.release();
    if (progressTimer) clearTimeout(progressTimer);
  }
  if (lease.lost) return { ran: false, execution: await getExecution(deps.db, id), reason: 'another process took the execution over' };
  if (phase !== 'Succeeded') {
    // Whatever never started is Skipped, so no status stays Pending in a finished execution.
    const left = await deps.db.query<{ stage: string; workflow: string; action: string }>(
      "SELECT stage, workflow, action FROM dr_action_statuses WHERE execution_id = $1 AND phase = 'Pending'", [id]);
    await markMany(deps.db, id, left.rows, 'Skipped', null);
  }
  await finishExecution(deps.db, id, holder, phase, message);
  const execution = await getExecution(deps.db, id);
  publish('execution.finished', { phase: execution.phase });
  return { ran: true, execution };
}
