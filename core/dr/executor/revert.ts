/**
 * A Revert: the succeeded actions of an Execute undone in reverse order of completion (planRollback): an explicit
 * rollback action runs, else the automatic inverse deletes what was created, and HTTP is skipped. Each undone
 * action of the Execute is marked RolledBack. A failing step does not stop the others: undo as much as possible.
 */
import type { Queryable } from '../../db/database.js';
import { DEFAULT_HANDLERS } from '../actions/index.js';
import { deleteRef } from '../actions/kube-objects.js';
import type { ActionHandler } from '../actions/types.js';
import { planRollback, type RollbackStep } from '../dag/rollback.js';
import { outputView, type OutputView } from '../render/outputs.js';
import type { Action, ActionStatus, ActionType } from '../schema/types.js';
import { listActionStatuses, markFinished } from '../store/action-statuses.js';
import type { ActionKey, ActionStatusRecord, ExecutionRecord, PlanSnapshot } from '../store/types.js';
import type { PhaseContext } from './execute.js';
import { kubeResolver } from './execute.js';
import { renderSnapshot } from './plan-runs.js';
import { runAction } from './run-action.js';
import type { RunPhase } from './run-workflow.js';

export interface RevertStep {
  key: ActionKey;
  type: ActionType;
  step: RollbackStep;
  /** The Execute's rendered action (for its cluster and timeout). */
  action: Action;
}

const SEP = '\u0000';
const joinKey = (k: ActionKey): string => [k.stage, k.workflow, k.action].join(SEP);

/** The steps of a Revert of `parent`, in the order they run. RolledBack counts as Succeeded, so a resume sees the same plan. */
export function planRevert(snapshot: PlanSnapshot, parent: ExecutionRecord, statuses: readonly ActionStatusRecord[]): RevertStep[] {
  const outputs: Record<string, Record<string, OutputView>> = {};
  for (const s of statuses) {
    if (s.phase === 'Pending' || s.phase === 'Running') continue;
    (outputs[s.workflow] ??= {})[s.action] = outputView(s.phase === 'RolledBack' ? 'Succeeded' : s.phase, s.outputs);
  }
  const rendering = renderSnapshot(snapshot, parent.params, parent.id, outputs);
  const actions: Action[] = [];
  const originals = new Map<string, { key: ActionKey; action: Action }>();
  for (const stage of rendering.stages) {
    for (const wf of stage.workflows) {
      for (const a of wf.actions) {
        const key = { stage: stage.name, workflow: wf.key, action: a.name };
        const name = joinKey(key);
        originals.set(name, { key, action: a.action });
        actions.push({ ...a.action, name, ...(a.rollback ? { rollback: a.rollback } : {}) });
      }
    }
  }
  const asStatuses: ActionStatus[] = statuses.map((s) => ({
    name: joinKey(s), phase: s.phase === 'RolledBack' ? 'Succeeded' : s.phase, outputs: s.outputs, ...(s.finishedAt ? { completionTime: s.finishedAt } : {}),
  }));
  return planRollback(actions, asStatuses).map((step) => {
    const original = originals.get(step.action)!;
    return { key: original.key, type: step.type, step: { ...step, action: original.key.action }, action: original.action };
  });
}

async function markRolledBack(db: Queryable, parentId: string, key: ActionKey): Promise<void> {
  await db.query(
    "UPDATE dr_action_statuses SET phase = 'RolledBack' WHERE execution_id = $1 AND stage = $2 AND workflow = $3 AND action = $4 AND phase = 'Succeeded'",
    [parentId, key.stage, key.workflow, key.action]);
}

export async function runRevert(ctx: PhaseContext, parent: ExecutionRecord, parentSnapshot: PlanSnapshot): Promise<RunPhase> {
  const { deps, execution } = ctx;
  const steps = planRevert(parentSnapshot, parent, await listActionStatuses(deps.db, parent.id));
  const done = new Map((await listActionStatuses(deps.db, execution.id)).map((s) => [joinKey(s), s]));
  const handlers = { ...DEFAULT_HANDLERS, ...(deps.handlers ?? {}) };
  const kubeFor = kubeResolver(deps, parentSnapshot);
  let failed = false;
  for (const { key, step, action } of steps) {
    const status = done.get(joinKey(key));
    if (status?.phase === 'Succeeded') {
      await markRolledBack(deps.db, parent.id, key);
      continue;
    }
    if (status && (status.phase === 'Skipped' || status.phase === 'Failed' || status.phase === 'Canceled')) {
      if (status.phase !== 'Skipped') failed = true;
      continue;
    }
    if (ctx.signal.aborted) {
      await markFinished(deps.db, execution.id, key, 'Skipped', null, null);
      continue;
    }
    if (step.kind === 'skip') {
      await markFinished(deps.db, execution.id, key, 'Skipped', null, step.reason);
      ctx.onChange();
      continue;
    }
    const target = step.kind === 'custom' ? { ...step.rollback, name: key.action, clusterRef: step.rollback.clusterRef ?? action.clusterRef } as Action : action;
    const handler: ActionHandler = step.kind === 'custom'
      ? handlers[step.rollback.type]
      : async (_a, hctx) => {
        const kube = await hctx.kube();
        for (const ref of step.refs) await deleteRef(kube, ref, hctx.signal);
        return {};
      };
    const runCtx = { db: deps.db, executionId: execution.id, planName: execution.planName, signal: ctx.signal, kube: kubeFor(target) };
    const result = await runAction(runCtx, key, step.kind === 'custom' ? target : { ...action, retryPolicy: undefined } as Action, handler, {});
    if (result.phase === 'Succeeded') await markRolledBack(deps.db, parent.id, key);
    else failed = true;
    ctx.onChange();
  }
  if (ctx.signal.aborted) return 'Cancelled';
  return failed ? 'Failed' : 'Succeeded';
}
