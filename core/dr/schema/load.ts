/** Loading DR resources from a multi-document YAML file (what `fleetdeck dr validate|apply -f FILE` reads). */
import { LineCounter, parseAllDocuments } from 'yaml';
import { ValidationError } from '../../errors.js';
import { DRFileValidationError, DRValidationError, type ValidationIssue } from './issues.js';
import type { DRPlan, DRPlanExecution, DRResource, DRWorkflow, ObjectReference } from './types.js';
import { validateResource } from './validate.js';

/** BCS's namespace when none is given. */
export const DEFAULT_NAMESPACE = 'default';

export interface DRBundle {
  plans: DRPlan[];
  workflows: DRWorkflow[];
  executions: DRPlanExecution[];
  /** Every resource in file order. */
  resources: DRResource[];
}

export interface LoadOptions {
  /** Names the file in messages. */
  source?: string;
  /** Workflows that exist elsewhere (the database, a cluster); a plan may reference these or ones in the file. */
  knownWorkflows?: readonly ObjectReference[];
  /** 'bundle' (default): a plan's workflowRefs must resolve to the file or knownWorkflows. 'none': not checked. */
  checkReferences?: 'bundle' | 'none';
}

export function namespaceOf(resource: { metadata: { namespace?: string | undefined } }): string {
  return resource.metadata.namespace ?? DEFAULT_NAMESPACE;
}

export function loadDRDocuments(text: string, options: LoadOptions = {}): DRBundle {
  const source = options.source ?? 'input';
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const bundle: DRBundle = { plans: [], workflows: [], executions: [], resources: [] };
  const seen = new Map<string, number>();
  // Every invalid resource is reported, not just the first: one file, one list of everything to fix.
  const invalid: DRValidationError[] = [];
  for (const doc of docs) {
    const start = lineCounter.linePos(doc.contents?.range[0] ?? doc.range[0]);
    const yamlError = doc.errors[0];
    if (yamlError) {
      const pos = yamlError.linePos?.[0] ?? start;
      throw new ValidationError(`${source}:${pos.line}:${pos.col}: YAML syntax error: ${yamlError.message.split('\n')[0] ?? ''}`, 'Fix the YAML at that line; nothing was stored.', source);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    let resource: DRResource;
    try {
      resource = validateResource(value, `${source}:${start.line}`);
    } catch (error) {
      if (!(error instanceof DRValidationError)) throw error;
      invalid.push(error);
      continue;
    }
    const key = `${resource.kind}/${namespaceOf(resource)}/${resource.metadata.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      invalid.push(new DRValidationError(`${resource.kind} "${resource.metadata.name}" (${source}:${start.line})`, [{ path: 'metadata.name', message: `defined twice in ${source} (first at line ${earlier})` }]));
      continue;
    }
    seen.set(key, start.line);
    bundle.resources.push(resource);
    if (resource.kind === 'DRPlan') bundle.plans.push(resource);
    else if (resource.kind === 'DRWorkflow') bundle.workflows.push(resource);
    else bundle.executions.push(resource);
  }
  // A plan's references are checked only once every workflow in the file is valid (an invalid one would read as missing).
  if (invalid.length === 0 && (options.checkReferences ?? 'bundle') === 'bundle') {
    const available = [...bundle.workflows.map((w) => ({ name: w.metadata.name, namespace: namespaceOf(w) })), ...(options.knownWorkflows ?? [])];
    for (const plan of bundle.plans) {
      const issues = checkPlanReferences(plan, available);
      if (issues.length > 0) invalid.push(new DRValidationError(`DRPlan "${plan.metadata.name}" (${source})`, issues));
    }
  }
  if (invalid.length === 1) throw invalid[0]!;
  if (invalid.length > 1) throw new DRFileValidationError(source, invalid);
  return bundle;
}

/** A workflowRef without a namespace means the plan's own namespace. */
export function resolveWorkflowRef(plan: DRPlan, ref: ObjectReference): Required<ObjectReference> {
  return { name: ref.name, namespace: ref.namespace ?? namespaceOf(plan) };
}

/** Issues for the plan's workflowRefs that name no available workflow. */
export function checkPlanReferences(plan: DRPlan, available: readonly ObjectReference[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  plan.spec.stages.forEach((stage, i) =>
    stage.workflows.forEach((wf, j) => {
      const ref = resolveWorkflowRef(plan, wf.workflowRef);
      if (!available.some((a) => a.name === ref.name && (a.namespace ?? DEFAULT_NAMESPACE) === ref.namespace)) {
        issues.push({ path: `spec.stages[${i}].workflows[${j}].workflowRef.name`, message: `DRWorkflow "${ref.namespace}/${ref.name}" not found` });
      }
    }),
  );
  return issues;
}
