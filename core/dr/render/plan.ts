/**
 * The dry run of a whole plan (`fleetdeck dr plan NAME`): stages in dependency order, each workflow with its
 * resolved parameters and every action rendered. Any missing key, unknown --param or unresolved required
 * parameter fails here, before anything runs.
 */
import { ValidationError } from '../../errors.js';
import { TemplateError } from '../../templates/errors.js';
import { buildGraph } from '../dag/graph.js';
import { resolveWorkflowRef } from '../schema/load.js';
import type { DRPlan, DRWorkflow, ObjectReference, Parameter, StageFailurePolicy, WorkflowFailurePolicy } from '../schema/types.js';
import { renderWorkflow, type RenderedAction } from './actions.js';
import type { OutputView } from './outputs.js';
import { declaredParamNames, resolveParams, type ParamValue } from './params.js';

export interface RenderPlanOptions {
  /** `--param k=v`, applied to every workflow of the plan. */
  overrides?: Readonly<Record<string, string>>;
  /** DRPlanExecution.spec.params. */
  executionParams?: readonly Parameter[];
  resolvedValueFrom?: Readonly<Record<string, string>>;
  /** Real outputs by workflow run (runId(stage, key)) then action name, for a resumed execution or a Revert. */
  outputs?: Readonly<Record<string, Readonly<Record<string, OutputView>>>>;
  executionId?: string;
}

export interface RenderedWorkflowRun {
  stage: string;
  /** Position of this workflow reference in its stage's `workflows` list. */
  index: number;
  workflowRef: Required<ObjectReference>;
  /** The run's key in its stage (runKey): `namespace/name`, or `namespace/name#2` for the workflow's second reference. */
  key: string;
  /** Distinguishes the Jobs of a workflow used more than once in the plan: '' for its first run, else `STAGE-POSITION` (1-based). */
  jobScope: string;
  params: Record<string, ParamValue>;
  failurePolicy: WorkflowFailurePolicy;
  actions: RenderedAction[];
}

export interface RenderedStage {
  name: string;
  dependsOn: readonly string[];
  parallel: boolean;
  failurePolicy: StageFailurePolicy;
  level: number;
  workflows: RenderedWorkflowRun[];
}

export interface PlanRendering {
  planName: string;
  stages: RenderedStage[];
}

export type WorkflowLookup = (ref: Required<ObjectReference>) => DRWorkflow | undefined;

export function workflowKey(ref: Required<ObjectReference>): string {
  return `${ref.namespace}/${ref.name}`;
}

/**
 * The key of the workflow run at `index` of a stage's `workflows`: its workflowKey for the first reference to that
 * workflow in the stage, with `#2`, `#3` … for later ones. Derived from positions in the frozen snapshot, so it is
 * the same on every resume; and a plan without repeats keeps the keys older executions were recorded with.
 */
export function runKey(refs: readonly Required<ObjectReference>[], index: number): string {
  const own = workflowKey(refs[index]!);
  const occurrence = refs.slice(0, index + 1).filter((r) => workflowKey(r) === own).length;
  return occurrence === 1 ? own : `${own}#${occurrence}`;
}

/** Identifies one workflow run of an execution: stage and run key. */
export function runId(stage: string, key: string): string {
  return `${stage}\u0000${key}`;
}

/** The workflow a run key names (`namespace/name#2` → namespace, name). */
export function refOfRunKey(key: string): Required<ObjectReference> {
  const plain = key.replace(/#\d+$/, '');
  const slash = plain.indexOf('/');
  return { namespace: plain.slice(0, slash), name: plain.slice(slash + 1) };
}

export function renderPlan(plan: DRPlan, findWorkflow: WorkflowLookup, options: RenderPlanOptions = {}): PlanRendering {
  const planName = plan.metadata.name;
  const stageGraph = buildGraph(plan.spec.stages);
  const runs = plan.spec.stages.map((stage, i) =>
    stage.workflows.map((wf, j) => {
      const ref = resolveWorkflowRef(plan, wf.workflowRef);
      const workflow = findWorkflow(ref);
      if (!workflow) {
        throw new ValidationError(`DRPlan "${planName}" spec.stages[${i}].workflows[${j}]: DRWorkflow "${workflowKey(ref)}" not found`, 'Apply the workflow first (fleetdeck dr apply -f FILE), or fix the workflowRef.', `spec.stages[${i}].workflows[${j}].workflowRef`);
      }
      return { stage, ref, workflow, stageParams: wf.params };
    }),
  );
  const declared = new Set<string>();
  for (const run of runs.flat()) {
    const layers = { workflow: run.workflow.spec.parameters, global: plan.spec.globalParams, stage: run.stageParams, execution: options.executionParams };
    for (const n of declaredParamNames(layers)) declared.add(n);
  }
  for (const key of Object.keys(options.overrides ?? {})) {
    if (!declared.has(key)) throw new ValidationError(`unknown parameter "${key}"`, `Plan "${planName}" declares: ${[...declared].sort().join(', ') || 'no parameters'}.`, 'param');
  }
  const seenWorkflows = new Set<string>();
  const jobScopes = runs.map((list, i) => list.map((run, j) => {
    const k = workflowKey(run.ref);
    if (!seenWorkflows.has(k)) {
      seenWorkflows.add(k);
      return '';
    }
    return `${i + 1}-${j + 1}`;
  }));
  const levelOf = new Map(stageGraph.levels.flatMap((names, level) => names.map((n) => [n, level] as const)));
  const stages: RenderedStage[] = plan.spec.stages.map((stage, i) => ({
    name: stage.name,
    dependsOn: stageGraph.dependencies.get(stage.name) ?? [],
    parallel: stage.parallel ?? false,
    failurePolicy: stage.failurePolicy ?? plan.spec.failurePolicy ?? 'Stop',
    level: levelOf.get(stage.name) ?? 0,
    workflows: (runs[i] ?? []).map((run, j, all) => {
      const key = runKey(all.map((r) => r.ref), j);
      const id = runId(stage.name, key);
      const params = resolveParams({
        workflow: run.workflow.spec.parameters,
        global: plan.spec.globalParams,
        stage: run.stageParams,
        execution: options.executionParams,
        ...(options.overrides ? { overrides: options.overrides } : {}),
        ...(options.resolvedValueFrom ? { resolvedValueFrom: options.resolvedValueFrom } : {}),
        strictOverrides: false,
      });
      const basePath = `${key}: spec.actions`;
      const rendered = withWorkflowContext(planName, key, () =>
        renderWorkflow(run.workflow, { planName, params, basePath, ...(options.outputs?.[id] ? { outputs: options.outputs[id] } : {}), ...(options.executionId ? { executionId: options.executionId } : {}), jobScope: jobScopes[i]?.[j] ?? '' }),
      );
      return { stage: stage.name, index: j, workflowRef: run.ref, key, jobScope: jobScopes[i]?.[j] ?? '', params, failurePolicy: run.workflow.spec.failurePolicy ?? 'FailFast', actions: rendered.actions };
    }),
  }));
  return { planName, stages };
}

function withWorkflowContext<T>(planName: string, key: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TemplateError && error.reason === 'missingKey') {
      throw new TemplateError(error.reason, error.templateName, error.position, error.detail, `${error.hint} (plan "${planName}", workflow "${key}")`, error.key);
    }
    throw error;
  }
}
