/**
 * A Revert: the succeeded actions of an Execute undone in reverse order of completion (planRollback): an explicit
 * rollback action runs, else the automatic inverse deletes what was created, and HTTP is skipped. Each undone
 * action of the Execute is marked RolledBack. A failing step does not stop the others: undo as much as possible.
 *
 * The steps are fixed when the Revert is created (its action statuses): an action an earlier Revert already rolled
 * back is not undone again, and a resumed Revert runs exactly the steps it was created with.
 */
import { DEFAULT_HANDLERS } from '../actions/index.js';
import { deleteCreated } from '../actions/kube-objects.js';
import { ActionSkipped, type ActionHandler } from '../actions/types.js';
import { planRollback, type RollbackStep } from '../dag/rollback.js';
import { outputView, type OutputView } from '../render/outputs.js';
import { runId } from '../render/plan.js';
import type { Action, ActionStatus, ActionType } from '../schema/types.js';
import { listActionStatuses, markFinished, markRolledBack } from '../store/action-statuses.js';
import type { ActionKey, ActionStatusRecord, ExecutionRecord, PlanSnapshot } from '../store/types.js';
import type { PhaseContext } from './execute.js';
import { kubeResolver } from './execute.js';
import { renderSnapshot, runSecrets } from './plan-runs.js';
import { isCancellation } from './lease.js';
import { runAction } from './run-action.js';
import type { RunPhase } from './run-workflow.js';

export interface RevertStep {
  key: ActionKey;
  type: ActionType;
  step: RollbackStep;
  /** The Execute's rendered action (for its cluster and timeout). */
  action: Action;
  /** The workflow run's part of Job names. */
  jobScope: string;
}

const SEP = '\u0000';
const joinKey = (k: ActionKey): string => [k.stage, k.workflow, k.action].join(SEP);

export interface PlanRevertOptions {
  /**
   * 'pending' (a new Revert): only actions still Succeeded are undone; RolledBack ones were undone already.
   * 'all' (running a Revert): RolledBack counts as Succeeded, so the steps are the ones the Revert was created with.
   */
  undo: 'pending' | 'all';
  /** The Execute's `--param` overrides, secrets opened. */
  params: Readonly<Record<string, string>>;
}

/** The steps of a Revert of `parent`, in the order they run. */
export function planRevert(snapshot: PlanSnapshot, parent: ExecutionRecord, statuses: readonly ActionStatusRecord[], options: PlanRevertOptions): RevertStep[] {
  const outputs: Record<string, Record<string, OutputView>> = {};
  for (const s of statuses) {
    if (s.phase === 'Pending' || s.phase === 'Running') continue;
    (outputs[runId(s.stage, s.workflow)] ??= {})[s.action] = outputView(s.phase === 'RolledBack' ? 'Succeeded' : s.phase, s.outputs);
  }
  const rendering = renderSnapshot(snapshot, options.params, parent.id, outputs);
  const actions: Action[] = [];
  const originals = new Map<string, { key: ActionKey; action: Action; jobScope: string }>();
  for (const stage of rendering.stages) {
    for (const wf of stage.workflows) {
      for (const a of wf.actions) {
        const key = { stage: stage.name, workflow: wf.key, action: a.name };
        const name = joinKey(key);
        originals.set(name, { key, action: a.action, jobScope: wf.jobScope });
        actions.push({ ...a.action, name, ...(a.rollback ? { rollback: a.rollback } : {}) });
      }
    }
  }
  const undoable = (s: ActionStatusRecord): ActionStatus['phase'] => (s.phase === 'RolledBack' && options.undo === 'all' ? 'Succeeded' : s.phase);
  const asStatuses: ActionStatus[] = statuses.map((s) => ({
    name: joinKey(s), phase: undoable(s), outputs: s.outputs, ...(s.finishedAt ? { completionTime: s.finishedAt } : {}),
  }));
  return planRollback(actions, asStatuses).map((step) => {
    const original = originals.get(step.action)!;
    return { key: original.key, type: step.type, step: { ...step, action: original.key.action }, action: original.action, jobScope: original.jobScope };
  });
}

/** Whether a step changes anything (an explicit rollback or a delete), as opposed to a documented skip. */
export function stepActs(step: RevertStep): boolean {
  return step.step.kind !== 'skip';
}

export async function runRevert(ctx: PhaseContext, parent: ExecutionRecord, parentSnapshot: PlanSnapshot): Promise<RunPhase> {
  const { deps, execution } = ctx;
  const own = await listActionStatuses(deps.db, execution.id);
  const done = new Map(own.map((s) => [joinKey(s), s]));
  const steps = planRevert(parentSnapshot, parent, await listActionStatuses(deps.db, parent.id), { undo: 'all', params: ctx.params })
    .filter((s) => done.has(joinKey(s.key)));
  const handlers = { ...DEFAULT_HANDLERS, ...(deps.handlers ?? {}) };
  const kubeFor = kubeResolver(deps, parentSnapshot);
  const secrets = runSecrets(parentSnapshot, renderSnapshot(parentSnapshot, ctx.params, parent.id));
  let failed = false;
  for (const { key, step, action, jobScope } of steps) {
    const status = done.get(joinKey(key));
    if (status?.phase === 'Succeeded') {
      await markRolledBack(deps.db, ctx.fence, parent.id, key);
      continue;
    }
    if (status && (status.phase === 'Skipped' || status.phase === 'Failed' || status.phase === 'Canceled')) {
      if (status.phase !== 'Skipped') failed = true;
      continue;
    }
    if (ctx.signal.aborted) break;
    if (step.kind === 'skip') {
      await markFinished(deps.db, ctx.fence, key, 'Skipped', null, step.reason);
      ctx.onChange();
      continue;
    }
    const target = step.kind === 'custom' ? { ...step.rollback, name: key.action, clusterRef: step.rollback.clusterRef ?? action.clusterRef } as Action : action;
    const handler: ActionHandler = step.kind === 'custom'
      ? handlers[step.rollback.type]
      : async (_a, hctx) => {
        const kube = await hctx.kube();
        const untouched: string[] = [];
        for (const ref of step.refs) {
          const deletion = await deleteCreated(kube, ref, parent.id, hctx.signal);
          if (deletion.outcome === 'foreign') untouched.push(deletion.reason);
        }
        if (untouched.length === step.refs.length) throw new ActionSkipped(`nothing of ${parent.id} left to delete: ${untouched.join('; ')}`);
        return {};
      };
    const runCtx = { db: deps.db, fence: ctx.fence, executionId: execution.id, planName: execution.planName, signal: ctx.signal, kube: kubeFor(target), jobScope, secrets };
    const result = await runAction(runCtx, key, step.kind === 'custom' ? target : { ...action, retryPolicy: undefined } as Action, handler, {});
    // Skipped: what the Execute created is gone already (someone else's object holds the name), so it is undone.
    if (result.phase === 'Succeeded' || result.phase === 'Skipped') await markRolledBack(deps.db, ctx.fence, parent.id, key);
    else failed = true;
    ctx.onChange();
  }
  if (ctx.signal.aborted) {
    if (!isCancellation(ctx.signal)) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('the execution stopped');
    return 'Canceled';
  }
  return failed ? 'Failed' : 'Succeeded';
}
