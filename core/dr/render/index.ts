/** Rendering DR actions with parameters and outputs, and the dry run of a plan. Pure: no I/O. */
export { parseParamOverrides, resolveParams, declaredParamNames, type ParamLayers, type ParamValue } from './params.js';
export { outputView, predictOutputs, jobNameFor, manifestRef, type OutputView } from './outputs.js';
export { renderAction, renderRollback, evaluateWhen, renderWorkflow, ancestorsOf, type RenderData, type RenderedAction, type RenderedWorkflow, type RenderWorkflowOptions } from './actions.js';
export { renderPlan, workflowKey, runKey, runId, refOfRunKey, type PlanRendering, type RenderedStage, type RenderedWorkflowRun, type RenderPlanOptions, type WorkflowLookup } from './plan.js';
export { redactAction, secretValues, isSecretHeader, REDACTED, ALWAYS_SECRET_HEADERS } from './redact.js';
