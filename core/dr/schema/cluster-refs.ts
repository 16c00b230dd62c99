/**
 * `clusterRef` (the plan's, or an action's) must name a cluster of the inventory or the management cluster. A
 * literal name is checked when a file is validated or applied; a templated one once it is rendered (`dr plan`,
 * `dr execute`), so an unknown cluster fails before anything runs, never half way.
 */
import { hasTemplateSyntax } from '../../templates/template.js';
import type { PlanRendering } from '../render/plan.js';
import { closest, DRValidationError, type ValidationIssue } from './issues.js';
import type { Action, DRPlan, DRWorkflow } from './types.js';

function check(ref: string | undefined, path: string, known: readonly string[], issues: ValidationIssue[], rendered: boolean): void {
  if (ref === undefined || ref === '' || (!rendered && hasTemplateSyntax(ref)) || known.includes(ref)) return;
  const near = closest(ref, known);
  issues.push({ path, message: `cluster "${ref}" is not in the inventory${near ? ` (did you mean "${near}"?)` : ''}; known: ${known.join(', ')}` });
}

function actionRefs(action: Action, path: string, known: readonly string[], issues: ValidationIssue[], rendered: boolean): void {
  check(action.clusterRef, `${path}.clusterRef`, known, issues, rendered);
  if (action.rollback) check(action.rollback.clusterRef, `${path}.rollback.clusterRef`, known, issues, rendered);
}

/** Issues for literal clusterRefs that name no known cluster. */
export function clusterRefIssues(resource: DRPlan | DRWorkflow, known: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (resource.kind === 'DRPlan') check(resource.spec.clusterRef, 'spec.clusterRef', known, issues, false);
  else resource.spec.actions.forEach((a, i) => actionRefs(a, `spec.actions[${i}]`, known, issues, false));
  return issues;
}

/** Throws DRValidationError listing every rendered clusterRef of a dry run that names no known cluster. */
export function checkRenderedClusterRefs(rendering: PlanRendering, planClusterRef: string | undefined, known: readonly string[]): void {
  const issues: ValidationIssue[] = [];
  check(planClusterRef, 'spec.clusterRef', known, issues, true);
  for (const stage of rendering.stages) {
    for (const wf of stage.workflows) {
      wf.actions.forEach((a) => {
        const path = `${wf.key} (stage ${stage.name}): action ${a.name}`;
        check(a.action.clusterRef, `${path}.clusterRef`, known, issues, true);
        if (a.rollback) check(a.rollback.clusterRef, `${path}.rollback.clusterRef`, known, issues, true);
      });
    }
  }
  if (issues.length > 0) throw new DRValidationError(`DRPlan "${rendering.planName}"`, issues);
}
