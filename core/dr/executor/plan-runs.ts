/** From a plan snapshot to the workflow runs an execution performs, and the keys of all their actions. */
import { workflowKey, renderPlan, type PlanRendering, type RenderedWorkflowRun } from '../render/plan.js';
import type { OutputView } from '../render/outputs.js';
import { secretParamNames } from '../render/redact.js';
import { namespaceOf } from '../schema/load.js';
import type { ActionType, DRWorkflow } from '../schema/types.js';
import type { ActionKey, PlanSnapshot } from '../store/types.js';

export interface WorkflowRun {
  run: RenderedWorkflowRun;
  /** The workflow as written: actions are rendered again at run time with real outputs. */
  workflow: DRWorkflow;
}

export function lookupIn(snapshot: PlanSnapshot): (ref: { name: string; namespace: string }) => DRWorkflow | undefined {
  const byKey = new Map(snapshot.workflows.map((w) => [`${namespaceOf(w)}/${w.metadata.name}`, w]));
  return (ref) => byKey.get(workflowKey(ref));
}

/** The dry run of the snapshot: throws (before anything runs) on a missing key, unknown param or bad reference. */
export function renderSnapshot(snapshot: PlanSnapshot, overrides: Readonly<Record<string, string>>, executionId?: string,
  outputs?: Readonly<Record<string, Readonly<Record<string, OutputView>>>>): PlanRendering {
  return renderPlan(snapshot.plan, lookupIn(snapshot), { overrides, ...(executionId ? { executionId } : {}), ...(outputs ? { outputs } : {}) });
}

export function workflowRuns(snapshot: PlanSnapshot, rendering: PlanRendering): Map<string, WorkflowRun[]> {
  const lookup = lookupIn(snapshot);
  const byStage = new Map<string, WorkflowRun[]>();
  for (const stage of rendering.stages) {
    byStage.set(stage.name, stage.workflows.map((run) => ({ run, workflow: lookup(run.workflowRef) as DRWorkflow })));
  }
  return byStage;
}

export function actionKeysOf(rendering: PlanRendering): (ActionKey & { type: ActionType })[] {
  return [...rendering.stages].sort((a, b) => a.level - b.level).flatMap((stage) =>
    stage.workflows.flatMap((wf) => [...wf.actions].sort((a, b) => a.level - b.level).map((a) => ({ stage: stage.name, workflow: wf.key, action: a.name, type: a.type }))));
}

/** The values of the plan's secret parameters in this rendering, to scrub from whatever is recorded or shown. */
export function runSecrets(snapshot: PlanSnapshot, rendering: PlanRendering): string[] {
  const names = secretParamNames(snapshot.workflows);
  const values = new Set<string>();
  for (const stage of rendering.stages) {
    for (const wf of stage.workflows) {
      for (const [k, v] of Object.entries(wf.params)) if (names.has(k) && String(v).length >= 4) values.add(String(v));
    }
  }
  return [...values];
}
