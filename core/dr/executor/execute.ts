/**
 * Running an Execute: stages by dependency level (stages of a level together), a stage's workflows in parallel
 * when it says so, else one after another; a failed stage stops the plan unless its policy is Continue.
 */
import { MANAGEMENT_CLUSTER } from '../../fleet.js';
import { DEFAULT_HANDLERS } from '../actions/index.js';
import { buildGraph } from '../dag/graph.js';
import { runId } from '../render/plan.js';
import type { Action } from '../schema/types.js';
import { listActionStatuses, type Fence } from '../store/action-statuses.js';
import type { ActionStatusRecord, ExecutionRecord, PlanSnapshot } from '../store/types.js';
import { renderSnapshot, runSecrets, workflowRuns } from './plan-runs.js';
import { runWorkflow, type RunPhase } from './run-workflow.js';
import type { ExecutorDeps } from './types.js';

export interface PhaseContext {
  deps: ExecutorDeps;
  execution: ExecutionRecord;
  /** The execution's snapshot with its secrets opened. */
  snapshot: PlanSnapshot;
  /** Overrides the execution was started with, secrets opened. */
  params: Record<string, string>;
  fence: Fence;
  signal: AbortSignal;
  parallelism: number;
  onChange(): void;
  stop(reason: unknown): void;
}

export function kubeResolver(deps: ExecutorDeps, snapshot: PlanSnapshot): (action: Action) => () => ReturnType<ExecutorDeps['kube']> {
  return (action) => () => deps.kube(action.clusterRef ?? snapshot.plan.spec.clusterRef ?? MANAGEMENT_CLUSTER);
}

export async function runExecute(ctx: PhaseContext): Promise<RunPhase> {
  const { deps, execution, snapshot } = ctx;
  const rendering = renderSnapshot(snapshot, ctx.params, execution.id);
  const runs = workflowRuns(snapshot, rendering);
  const statuses = await listActionStatuses(deps.db, execution.id);
  const byRun = new Map<string, Map<string, ActionStatusRecord>>();
  for (const s of statuses) {
    const k = runId(s.stage, s.workflow);
    if (!byRun.has(k)) byRun.set(k, new Map());
    byRun.get(k)!.set(s.action, s);
  }
  const handlers = { ...DEFAULT_HANDLERS, ...(deps.handlers ?? {}) };
  const kubeFor = kubeResolver(deps, snapshot);
  const secrets = runSecrets(snapshot, rendering);
  const stageGraph = buildGraph(snapshot.plan.spec.stages);
  const stages = new Map(rendering.stages.map((s) => [s.name, s]));
  let failed = false;

  const runStage = async (name: string): Promise<RunPhase> => {
    const stage = stages.get(name)!;
    const list = runs.get(name) ?? [];
    const one = (run: (typeof list)[number]): Promise<RunPhase> => runWorkflow({
      db: deps.db, fence: ctx.fence, executionId: execution.id, planName: execution.planName, signal: ctx.signal, parallelism: ctx.parallelism,
      handlerFor: (action) => handlers[action.type], kubeFor, secrets,
      statuses: byRun.get(runId(name, run.run.key)) ?? new Map(), onChange: ctx.onChange, stop: ctx.stop,
    }, run);
    let results: RunPhase[] = [];
    if (stage.parallel) results = await settled(list.map(one));
    else {
      for (const run of list) {
        const phase = await one(run);
        results.push(phase);
        if (phase === 'Canceled' || (phase === 'Failed' && stage.failurePolicy !== 'Continue')) break;
      }
    }
    if (results.includes('Canceled')) return 'Canceled';
    return results.includes('Failed') || results.length < list.length ? 'Failed' : 'Succeeded';
  };

  for (const level of stageGraph.levels) {
    const results = await settled(level.map(async (name) => ({ name, phase: await runStage(name) })));
    if (results.some((r) => r.phase === 'Canceled')) return 'Canceled';
    const stop = results.some((r) => r.phase === 'Failed' && stages.get(r.name)?.failurePolicy !== 'Continue');
    if (results.some((r) => r.phase === 'Failed')) failed = true;
    if (stop) break;
  }
  return failed ? 'Failed' : 'Succeeded';
}

/** Like Promise.all, but waits for every run to end before rethrowing the first error (no run left behind). */
export async function settled<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
