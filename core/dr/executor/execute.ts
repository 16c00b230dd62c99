/**
 * Running an Execute: stages by dependency level (stages of a level together), a stage's workflows in parallel
 * when it says so, else one after another; a failed stage stops the plan unless its policy is Continue.
 */
import { MANAGEMENT_CLUSTER } from '../../fleet.js';
import { DEFAULT_HANDLERS } from '../actions/index.js';
import { buildGraph } from '../dag/graph.js';
import type { Action } from '../schema/types.js';
import { listActionStatuses } from '../store/action-statuses.js';
import type { ActionStatusRecord, ExecutionRecord, PlanSnapshot } from '../store/types.js';
import { renderSnapshot, workflowRuns } from './plan-runs.js';
import { runWorkflow, type RunPhase } from './run-workflow.js';
import type { ExecutorDeps } from './types.js';

export interface PhaseContext {
  deps: ExecutorDeps;
  execution: ExecutionRecord;
  snapshot: PlanSnapshot;
  signal: AbortSignal;
  parallelism: number;
  onChange(): void;
}

export function kubeResolver(deps: ExecutorDeps, snapshot: PlanSnapshot): (action: Action) => () => ReturnType<ExecutorDeps['kube']> {
  return (action) => () => deps.kube(action.clusterRef ?? snapshot.plan.spec.clusterRef ?? MANAGEMENT_CLUSTER);
}

export async function runExecute(ctx: PhaseContext): Promise<RunPhase> {
  const { deps, execution, snapshot } = ctx;
  const rendering = renderSnapshot(snapshot, execution.params, execution.id);
  const runs = workflowRuns(snapshot, rendering);
  const statuses = await listActionStatuses(deps.db, execution.id);
  const byRun = new Map<string, Map<string, ActionStatusRecord>>();
  for (const s of statuses) {
    const k = `${s.stage}\u0000${s.workflow}`;
    if (!byRun.has(k)) byRun.set(k, new Map());
    byRun.get(k)!.set(s.action, s);
  }
  const handlers = { ...DEFAULT_HANDLERS, ...(deps.handlers ?? {}) };
  const kubeFor = kubeResolver(deps, snapshot);
  const stageGraph = buildGraph(snapshot.plan.spec.stages);
  const stages = new Map(rendering.stages.map((s) => [s.name, s]));
  let failed = false;

  const runStage = async (name: string): Promise<RunPhase> => {
    const stage = stages.get(name)!;
    const list = runs.get(name) ?? [];
    const one = (run: (typeof list)[number]): Promise<RunPhase> => runWorkflow({
      db: deps.db, executionId: execution.id, planName: execution.planName, signal: ctx.signal, parallelism: ctx.parallelism,
      handlerFor: (action) => handlers[action.type], kubeFor,
      statuses: byRun.get(`${name}\u0000${run.run.key}`) ?? new Map(), onChange: ctx.onChange,
    }, run);
    let results: RunPhase[] = [];
    if (stage.parallel) results = await Promise.all(list.map(one));
    else {
      for (const run of list) {
        const phase = await one(run);
        results.push(phase);
        if (phase === 'Cancelled' || (phase === 'Failed' && stage.failurePolicy !== 'Continue')) break;
      }
    }
    if (results.includes('Cancelled')) return 'Cancelled';
    return results.includes('Failed') || results.length < list.length ? 'Failed' : 'Succeeded';
  };

  for (const level of stageGraph.levels) {
    const results = await Promise.all(level.map(async (name) => ({ name, phase: await runStage(name) })));
    if (results.some((r) => r.phase === 'Cancelled')) return 'Cancelled';
    const stop = results.some((r) => r.phase === 'Failed' && stages.get(r.name)?.failurePolicy !== 'Continue');
    if (results.some((r) => r.phase === 'Failed')) failed = true;
    if (stop) break;
  }
  return failed ? 'Failed' : 'Succeeded';
}
