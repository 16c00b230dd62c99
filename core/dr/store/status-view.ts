/**
 * DRPlanExecution.status as BCS's bcs-drplan-controller records it, built from fleetdeck's rows: stageStatuses,
 * each with workflowExecutions (one per workflow run), each with actionStatuses (phase, startTime, completionTime,
 * retryCount, message, outputs), and a summary. Stage and workflow phases are aggregated from their actions.
 */
import type { ActionStatus, DRPlanExecutionStatus, Phase, StageStatus, WorkflowExecutionStatus } from '../schema/types.js';
import { refOfRunKey } from '../render/plan.js';
import type { ActionStatusRecord, ExecutionRecord } from './types.js';

const DONE: ReadonlySet<string> = new Set(['Succeeded', 'Skipped', 'RolledBack']);

/** The phase of a group of actions, given whether the execution still runs. */
export function aggregatePhase(phases: readonly string[], executionActive: boolean): Phase {
  if (phases.length === 0) return 'Pending';
  if (phases.includes('Running')) return 'Running';
  if (phases.includes('Failed')) return 'Failed';
  if (phases.includes('Canceled')) return 'Canceled';
  if (phases.every((p) => DONE.has(p))) return phases.every((p) => p === 'Skipped') ? 'Skipped' : 'Succeeded';
  if (phases.every((p) => p === 'Pending')) return 'Pending';
  return executionActive ? 'Running' : 'Failed';
}

function earliest(values: (string | null)[]): string | undefined {
  return values.filter((v): v is string => v !== null).sort()[0];
}
function latest(values: (string | null)[], all: boolean): string | undefined {
  if (all && values.some((v) => v === null)) return undefined;
  return values.filter((v): v is string => v !== null).sort().at(-1);
}
function duration(start: string | undefined, end: string | undefined): string | undefined {
  if (!start || !end) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}

export function actionStatusOf(a: ActionStatusRecord): ActionStatus {
  return {
    name: a.action, phase: a.phase,
    ...(a.startedAt ? { startTime: a.startedAt } : {}),
    ...(a.finishedAt ? { completionTime: a.finishedAt } : {}),
    retryCount: Math.max(0, a.attempts - 1), attempts: a.attempts,
    ...(a.error ? { message: a.error } : {}),
    outputs: a.outputs,
  };
}

export function executionStatusOf(execution: ExecutionRecord, actions: readonly ActionStatusRecord[]): DRPlanExecutionStatus {
  const active = execution.phase === 'Pending' || execution.phase === 'Running';
  const stages = new Map<string, Map<string, ActionStatusRecord[]>>();
  for (const a of actions) {
    let runs = stages.get(a.stage);
    if (!runs) stages.set(a.stage, (runs = new Map()));
    const list = runs.get(a.workflow) ?? [];
    list.push(a);
    runs.set(a.workflow, list);
  }
  const stageStatuses: StageStatus[] = [...stages].map(([name, runs]) => {
    const workflowExecutions: WorkflowExecutionStatus[] = [...runs].map(([key, list]) => {
      const phase = aggregatePhase(list.map((a) => a.phase), active);
      const startTime = earliest(list.map((a) => a.startedAt));
      const completionTime = phase === 'Running' || phase === 'Pending' ? undefined : latest(list.map((a) => a.finishedAt), false);
      const finished = list.filter((a) => a.phase !== 'Pending' && a.phase !== 'Running').length;
      const current = list.find((a) => a.phase === 'Running');
      const failed = list.find((a) => a.phase === 'Failed');
      const took = duration(startTime, completionTime);
      return {
        workflowRef: refOfRunKey(key), key, phase,
        ...(startTime ? { startTime } : {}), ...(completionTime ? { completionTime } : {}), ...(took ? { duration: took } : {}),
        progress: `${finished}/${list.length} actions completed`,
        ...(current ? { currentAction: current.action } : {}),
        ...(failed ? { message: `Action ${failed.action} failed: ${failed.error ?? ''}` } : {}),
        actionStatuses: list.map(actionStatusOf),
      };
    });
    const all = [...runs.values()].flat();
    const phase = aggregatePhase(workflowExecutions.map((w) => w.phase), active);
    const startTime = earliest(all.map((a) => a.startedAt));
    const completionTime = phase === 'Running' || phase === 'Pending' ? undefined : latest(all.map((a) => a.finishedAt), false);
    const took = duration(startTime, completionTime);
    return { name, phase, ...(startTime ? { startTime } : {}), ...(completionTime ? { completionTime } : {}), ...(took ? { duration: took } : {}), workflowExecutions };
  });
  const count = (list: { phase: Phase }[], phases: Phase[]): number => list.filter((x) => phases.includes(x.phase)).length;
  const workflows = stageStatuses.flatMap((s) => s.workflowExecutions ?? []);
  return {
    phase: execution.phase,
    ...(execution.startedAt ? { startTime: execution.startedAt } : {}),
    ...(execution.finishedAt ? { completionTime: execution.finishedAt } : {}),
    stageStatuses,
    summary: {
      totalStages: stageStatuses.length, completedStages: count(stageStatuses, ['Succeeded', 'Skipped']), runningStages: count(stageStatuses, ['Running']),
      pendingStages: count(stageStatuses, ['Pending']), failedStages: count(stageStatuses, ['Failed', 'Canceled']),
      totalWorkflows: workflows.length, completedWorkflows: count(workflows, ['Succeeded', 'Skipped']), runningWorkflows: count(workflows, ['Running']),
      pendingWorkflows: count(workflows, ['Pending']), failedWorkflows: count(workflows, ['Failed', 'Canceled']),
    },
    ...(execution.message ? { message: execution.message } : {}),
  };
}
