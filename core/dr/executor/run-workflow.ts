/**
 * One workflow run: scheduleNext decides what starts (bounded parallelism, dependsOn, failure policy); each
 * action is rendered with the real outputs of the actions it waits for, its `when` evaluated, then run.
 * Statuses recorded by an earlier process are honoured: Succeeded/Failed/Skipped are final, Running is resumed.
 * When a write fails (the lease was lost, the database went away) the run stops starting actions, waits for
 * the running ones and rethrows: what was recorded stays, and a resume finishes the rest.
 */
import { ancestorsOf, evaluateWhen, readsOutputs, renderAction, type RenderData } from '../render/actions.js';
import { outputView, type OutputView } from '../render/outputs.js';
import { buildGraph } from '../dag/graph.js';
import { scheduleNext } from '../dag/schedule.js';
import type { Action, ActionOutputs, ActionPhase } from '../schema/types.js';
import type { ActionHandler } from '../actions/types.js';
import type { KubeGateway } from '../../kube/types.js';
import { markFinished, markMany } from '../store/action-statuses.js';
import type { ActionKey, ActionStatusRecord } from '../store/types.js';
import { runAction, scrubSecrets, type ActionRunContext } from './run-action.js';
import type { WorkflowRun } from './plan-runs.js';
import { isCancellation } from './lease.js';

export interface WorkflowContext extends Omit<ActionRunContext, 'kube' | 'jobScope'> {
  parallelism: number;
  handlerFor(action: Action): ActionHandler;
  kubeFor(action: Action): () => Promise<KubeGateway>;
  /** Statuses by action name for this workflow run (from the database). */
  statuses: ReadonlyMap<string, ActionStatusRecord>;
  onChange(): void;
  /** Stops the whole execution (every workflow run) after a failed write. */
  stop(reason: unknown): void;
}

export type RunPhase = 'Succeeded' | 'Failed' | 'Canceled';

export async function runWorkflow(ctx: WorkflowContext, { run, workflow }: WorkflowRun): Promise<RunPhase> {
  const actions = new Map(workflow.spec.actions.map((a, i) => [a.name, { action: a, index: i }]));
  const graph = buildGraph(workflow.spec.actions);
  const phases: Record<string, ActionPhase> = {};
  const outputs: Record<string, OutputView> = {};
  const previous: Record<string, ActionOutputs> = {};
  for (const name of graph.names) {
    const status = ctx.statuses.get(name);
    // Running means a previous process died mid-action: run it again (handlers re-attach, HTTP repeats).
    const phase = status?.phase === 'Running' || status === undefined ? 'Pending' : status.phase;
    phases[name] = phase;
    previous[name] = status?.outputs ?? {};
    if (phase !== 'Pending') outputs[name] = outputView(phase, status?.outputs);
  }
  const key = (action: string): ActionKey => ({ stage: run.stage, workflow: run.key, action });
  const running = new Set<Promise<void>>();
  const failure: { error?: unknown; set: boolean } = { set: false };
  let wake: () => void = () => undefined;

  const runOne = async (name: string): Promise<void> => {
    const entry = actions.get(name)!;
    const path = `${run.key}: spec.actions[${entry.index}]`;
    const visible: Record<string, OutputView> = {};
    // Collecting ancestors is linear per action; skip it for actions whose templates never read outputs.
    if (readsOutputs(entry.action)) for (const a of ancestorsOf(graph, name)) if (outputs[a]) visible[a] = outputs[a];
    const data: RenderData = { planName: ctx.planName, params: run.params, outputs: visible };
    let rendered: Action;
    try {
      if (!evaluateWhen(entry.action, data, path)) {
        await markFinished(ctx.db, ctx.fence, key(name), 'Skipped', null, null);
        phases[name] = 'Skipped';
        outputs[name] = outputView('Skipped', {});
        return;
      }
      rendered = renderAction(entry.action, data, path);
    } catch (error) {
      const message = scrubSecrets(error instanceof Error ? error.message : String(error), entry.action, ctx.secrets);
      await markFinished(ctx.db, ctx.fence, key(name), 'Failed', null, message);
      phases[name] = 'Failed';
      return;
    }
    const result = await runAction({ ...ctx, kube: ctx.kubeFor(rendered), jobScope: run.jobScope }, key(name), rendered, ctx.handlerFor(rendered), previous[name] ?? {});
    phases[name] = result.phase;
    outputs[name] = outputView(result.phase, result.outputs);
  };

  for (;;) {
    if (failure.set || ctx.signal.aborted) {
      if (running.size > 0) {
        await Promise.race(running);
        continue;
      }
      if (failure.set) throw failure.error;
      if (!isCancellation(ctx.signal)) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('the execution stopped');
      const left = graph.names.filter((n) => phases[n] === 'Pending');
      await markMany(ctx.db, ctx.fence, left.map(key), 'Skipped', null);
      return 'Canceled';
    }
    const decision = scheduleNext({ graph, phases, parallelism: ctx.parallelism, failurePolicy: run.failurePolicy });
    if (decision.skip.length > 0) {
      await markMany(ctx.db, ctx.fence, decision.skip.map(key), 'Skipped', null);
      for (const n of decision.skip) phases[n] = 'Skipped';
      ctx.onChange();
    }
    if (decision.done) return decision.phase === 'Succeeded' ? 'Succeeded' : 'Failed';
    for (const name of decision.start) {
      phases[name] = 'Running';
      const p: Promise<void> = runOne(name)
        .catch((error: unknown) => {
          // A failed write: the action stays as last recorded, and a resume finishes it.
          if (!failure.set) Object.assign(failure, { error, set: true });
          ctx.stop(error);
        })
        .finally(() => {
          running.delete(p);
          ctx.onChange();
          wake();
        });
      running.add(p);
    }
    const woken = new Promise<void>((resolve) => { wake = resolve; });
    const onAbort = (): void => wake();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    await Promise.race([woken, ...running]);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
