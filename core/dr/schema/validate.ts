/** Validation of DRWorkflow, DRPlan and DRPlanExecution documents: every problem with its field path. */
import { joinPath } from '../../templates/tree.js';
import { describeProblem, findGraphProblems, type GraphItem } from '../dag/graph.js';
import { DRValidationError, isObj, Issues, type Obj, type ValidationIssue } from './issues.js';
import { validateAction } from './validate-action.js';
import { DR_API_VERSION, DR_KINDS, PARAMETER_TYPES, type DRPlan, type DRPlanExecution, type DRResource, type DRWorkflow } from './types.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Usable as `.params.NAME` and `$(params.NAME)`. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates any DR document and returns it typed; throws DRValidationError listing every problem. */
export function validateResource(input: unknown, where = 'document'): DRResource {
  const issues = new Issues();
  // A copy, because parameter values are normalised to the strings BCS declares them as.
  const doc: unknown = structuredClone(input);
  if (!isObj(doc)) throw new DRValidationError(where, [{ path: '', message: 'must be a YAML mapping (an object)' }]);
  issues.allowOnly(doc, ['apiVersion', 'kind', 'metadata', 'spec', 'status'], '');
  issues.string(doc, 'apiVersion', '', { required: true, oneOf: [DR_API_VERSION] });
  const kind = issues.string(doc, 'kind', '', { required: true, oneOf: DR_KINDS });
  const meta = issues.object(doc, 'metadata', '', true);
  const name = meta ? issues.string(meta, 'name', 'metadata', { required: true, pattern: DNS_SUBDOMAIN, patternHint: 'use lower-case letters, digits, "-" and "."' }) : undefined;
  if (meta) issues.string(meta, 'namespace', 'metadata');
  const label = `${kind ?? 'DR resource'} "${name ?? '?'}"${where === 'document' ? '' : ` (${where})`}`;
  const spec = issues.object(doc, 'spec', '', true);
  if (spec && kind === 'DRWorkflow') validateWorkflowSpec(issues, spec);
  if (spec && kind === 'DRPlan') validatePlanSpec(issues, spec);
  if (spec && kind === 'DRPlanExecution') validateExecutionSpec(issues, spec);
  if (!issues.ok) throw new DRValidationError(label, issues.list);
  return doc as unknown as DRResource;
}

export function validateWorkflow(doc: unknown, where?: string): DRWorkflow {
  return expectKind(validateResource(doc, where), 'DRWorkflow');
}
export function validatePlan(doc: unknown, where?: string): DRPlan {
  return expectKind(validateResource(doc, where), 'DRPlan');
}
export function validateExecution(doc: unknown, where?: string): DRPlanExecution {
  return expectKind(validateResource(doc, where), 'DRPlanExecution');
}

function expectKind<K extends DRResource['kind']>(resource: DRResource, kind: K): Extract<DRResource, { kind: K }> {
  if (resource.kind !== kind) throw new DRValidationError(`${resource.kind} "${resource.metadata.name}"`, [{ path: 'kind', message: `expected ${kind}, found ${resource.kind}` }]);
  return resource as Extract<DRResource, { kind: K }>;
}

function validateWorkflowSpec(issues: Issues, spec: Obj): void {
  issues.allowOnly(spec, ['executor', 'parameters', 'actions', 'failurePolicy'], 'spec');
  validateParameters(issues, spec, 'parameters', 'spec', { definitions: true });
  issues.string(spec, 'failurePolicy', 'spec', { oneOf: ['FailFast', 'Continue'] });
  const executor = issues.object(spec, 'executor', 'spec');
  if (executor) {
    issues.allowOnly(executor, ['type', 'argoOptions'], 'spec.executor');
    issues.string(executor, 'type', 'spec.executor', { oneOf: ['Native', 'Argo'] });
  }
  const actions = issues.array(spec, 'actions', 'spec', { required: true, minItems: 1 });
  if (!actions) return;
  actions.forEach((action, i) => validateAction(issues, action, `spec.actions[${i}]`));
  checkGraph(issues, actions, 'spec.actions', 'action');
}

function validatePlanSpec(issues: Issues, spec: Obj): void {
  issues.allowOnly(spec, ['description', 'stages', 'globalParams', 'failurePolicy', 'clusterRef', 'rollbackOnFailure'], 'spec');
  issues.string(spec, 'description', 'spec');
  issues.boolean(spec, 'rollbackOnFailure', 'spec');
  issues.string(spec, 'failurePolicy', 'spec', { oneOf: ['Stop', 'Continue'] });
  issues.string(spec, 'clusterRef', 'spec');
  validateParameters(issues, spec, 'globalParams', 'spec', { definitions: true });
  const stages = issues.array(spec, 'stages', 'spec', { required: true, minItems: 1 });
  if (!stages) return;
  stages.forEach((stage, i) => {
    const at = `spec.stages[${i}]`;
    if (!isObj(stage)) return issues.add(at, 'must be an object');
    issues.allowOnly(stage, ['name', 'description', 'dependsOn', 'parallel', 'workflows', 'failurePolicy'], at);
    issues.string(stage, 'name', at, { required: true });
    issues.string(stage, 'description', at);
    issues.string(stage, 'failurePolicy', at, { oneOf: ['Stop', 'Continue', 'FailFast'] });
    issues.boolean(stage, 'parallel', at);
    issues.stringList(stage, 'dependsOn', at);
    const workflows = issues.array(stage, 'workflows', at, { required: true, minItems: 1 });
    workflows?.forEach((ref, j) => {
      const refAt = `${at}.workflows[${j}]`;
      if (!isObj(ref)) return issues.add(refAt, 'must be an object');
      issues.allowOnly(ref, ['workflowRef', 'params'], refAt);
      const wf = issues.object(ref, 'workflowRef', refAt, true);
      if (wf) {
        issues.allowOnly(wf, ['name', 'namespace'], `${refAt}.workflowRef`);
        issues.string(wf, 'name', `${refAt}.workflowRef`, { required: true });
        issues.string(wf, 'namespace', `${refAt}.workflowRef`);
      }
      validateParameters(issues, ref, 'params', refAt, { definitions: false });
    });
  });
  checkGraph(issues, stages, 'spec.stages', 'stage');
}

function validateExecutionSpec(issues: Issues, spec: Obj): void {
  issues.allowOnly(spec, ['planRef', 'operationType', 'mode', 'revertExecutionRef', 'params'], 'spec');
  issues.string(spec, 'planRef', 'spec', { required: true });
  const operation = issues.string(spec, 'operationType', 'spec', { required: true, oneOf: ['Execute', 'Revert'] });
  issues.string(spec, 'mode', 'spec', { oneOf: ['Install', 'Upgrade', 'Delete', 'Rollback'] });
  const revertRef = issues.string(spec, 'revertExecutionRef', 'spec', { required: operation === 'Revert' });
  if (operation === 'Execute' && revertRef !== undefined) issues.add('spec.revertExecutionRef', 'only allowed when operationType is Revert');
  const params = validateParameters(issues, spec, 'params', 'spec', { definitions: false });
  params.forEach((p, i) => {
    if (p === 'mode') issues.add(`spec.params[${i}].name`, '"mode" is reserved: set spec.mode instead');
  });
}

/** Checks a parameter list and returns the names seen (by index). */
function validateParameters(issues: Issues, parent: Obj, key: string, path: string, opts: { definitions: boolean }): (string | undefined)[] {
  const list = issues.array(parent, key, path);
  const names: (string | undefined)[] = [];
  const seen = new Set<string>();
  list?.forEach((param, i) => {
    const at = `${joinPath(path, key)}[${i}]`;
    if (!isObj(param)) {
      issues.add(at, 'must be an object');
      names.push(undefined);
      return;
    }
    issues.allowOnly(param, ['name', 'type', 'required', 'value', 'default', 'description', 'valueFrom'], at);
    const name = issues.string(param, 'name', at, { required: true, pattern: PARAM_NAME, patternHint: 'use letters, digits and "_", starting with a letter, so templates can read .params.NAME' });
    names.push(name);
    if (name !== undefined && seen.has(name)) issues.add(`${at}.name`, `duplicate parameter name "${name}"`);
    if (name !== undefined) seen.add(name);
    const type = issues.string(param, 'type', at, { oneOf: PARAMETER_TYPES }) ?? 'string';
    issues.boolean(param, 'required', at);
    issues.string(param, 'description', at);
    for (const field of ['value', 'default'] as const) {
      const raw = param[field];
      if (raw === undefined || raw === null) continue;
      // BCS declares value/default as strings; YAML's unquoted 3 or true are accepted and read as their text.
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        issues.add(`${at}.${field}`, `must be a string, not ${Array.isArray(raw) ? 'a list' : 'an object'}`);
        continue;
      }
      const text = String(raw);
      param[field] = text;
      if (type === 'number' && text !== '' && !Number.isFinite(Number(text))) issues.add(`${at}.${field}`, `"${text}" is not a number (type is number)`);
      if (type === 'boolean' && text !== '' && text !== 'true' && text !== 'false') issues.add(`${at}.${field}`, `"${text}" is not true or false (type is boolean)`);
    }
    const valueFrom = issues.object(param, 'valueFrom', at);
    if (valueFrom) issues.allowOnly(valueFrom, ['manifestRef'], `${at}.valueFrom`);
    if (valueFrom && param.value !== undefined) issues.add(`${at}.valueFrom`, 'value and valueFrom are mutually exclusive');
    const ref = valueFrom ? issues.object(valueFrom, 'manifestRef', `${at}.valueFrom`, true) : undefined;
    if (ref) {
      const refAt = `${at}.valueFrom.manifestRef`;
      issues.allowOnly(ref, ['apiVersion', 'kind', 'namespace', 'name', 'labelSelector', 'jsonPath', 'select'], refAt);
      issues.string(ref, 'apiVersion', refAt, { required: true });
      issues.string(ref, 'kind', refAt, { required: true });
      issues.string(ref, 'jsonPath', refAt, { required: true });
      issues.string(ref, 'select', refAt, { oneOf: ['Last', 'First', 'Single', 'Any'] });
      if (ref.name !== undefined && ref.labelSelector !== undefined) issues.add(refAt, 'name and labelSelector are mutually exclusive');
    }
    if (opts.definitions && param.required === true && param.default !== undefined && param.value === undefined && param.default === '') {
      issues.add(`${at}.default`, 'a required parameter cannot default to an empty value');
    }
  });
  return names;
}

function checkGraph(issues: Issues, list: unknown[], path: string, noun: string): void {
  const items: GraphItem[] = list.filter(isObj).map((item) => ({
    name: typeof item.name === 'string' ? item.name : '',
    dependsOn: Array.isArray(item.dependsOn) ? item.dependsOn.filter((d): d is string => typeof d === 'string') : undefined,
  }));
  if (items.length !== list.length || items.some((i) => i.name === '')) return;
  for (const problem of findGraphProblems(items)) {
    const issue: ValidationIssue =
      problem.kind === 'duplicate'
        ? { path: `${path}[${problem.index}].name`, message: describeProblem(problem, noun) }
        : problem.kind === 'unknown'
          ? { path: `${path}[${problem.index}].dependsOn[${problem.dependencyIndex}]`, message: describeProblem(problem, noun) }
          : problem.kind === 'self'
            ? { path: `${path}[${problem.index}].dependsOn`, message: describeProblem(problem, noun) }
            : { path, message: describeProblem(problem, noun) };
    issues.add(issue.path, issue.message);
  }
}
