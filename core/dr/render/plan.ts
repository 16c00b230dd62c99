/**
 * The dry run of a whole plan (`fleetdeck dr plan NAME`): stages in dependency order, each workflow with its
 * resolved parameters and every action rendered. Any missing key, unknown --param or unresolved required
 * parameter fails here, before anything runs.
 */
import { ValidationError } from '../../errors.js';
import { TemplateError } from '../../templates/errors.js';
import { buildGraph } from '../dag/graph.js';
import { namespaceOf, resolveWorkflowRef } from '../schema/load.js';
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
  /** Real outputs by workflow key (`namespace/name`) then action name, for a resumed execution. */
  outputs?: Readonly<Record<string, Readonly<Record<string, OutputView>>>>;
  executionId?: string;
}

export interface RenderedWorkflowRun {
  stage: string;
  workflowRef: Required<ObjectReference>;
  /** `namespace/name`, the key of `outputs`. */
  key: string;
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
  const levelOf = new Map(stageGraph.levels.flatMap((names, level) => names.map((n) => [n, level] as const)));
  const stages: RenderedStage[] = plan.spec.stages.map((stage, i) => ({
    name: stage.name,
    dependsOn: stageGraph.dependencies.get(stage.name) ?? [],
    parallel: stage.parallel ?? false,
    failurePolicy: stage.failurePolicy ?? plan.spec.failurePolicy ?? 'Stop',
    level: levelOf.get(stage.name) ?? 0,
    workflows: (runs[i] ?? []).map((run) => {
      const key = workflowKey(run.ref);
      const params = resolveParams({
        workflow: run.workflow.spec.parameters,
        global: plan.spec.globalParams,
        stage: run.stageParams,
        execution: options.executionParams,
        ...(options.overrides ? { overrides: options.overrides } : {}),
        ...(options.resolvedValueFrom ? { resolvedValueFrom: options.resolvedValueFrom } : {}),
        strictOverrides: false,
      });
      const basePath = `${namespaceOf(run.workflow)}/${run.workflow.metadata.name}: spec.actions`;
      const rendered = withWorkflowContext(planName, key, () =>
        renderWorkflow(run.workflow, { planName, params, basePath, ...(options.outputs?.[key] ? { outputs: options.outputs[key] } : {}), ...(options.executionId ? { executionId: options.executionId } : {}) }),
      );
      return { stage: stage.name, workflowRef: run.ref, key, params, failurePolicy: run.workflow.spec.failurePolicy ?? 'FailFast', actions: rendered.actions };
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
