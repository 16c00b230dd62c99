/** DR resource schemas (`dr.bkbcs.tencent.com/v1alpha1`): types, validation with field paths, YAML loading. */
export * from './types.js';
export { DRFileValidationError, DRValidationError, formatIssue, closest, type ValidationIssue } from './issues.js';
export { clusterRefIssues, checkRenderedClusterRefs } from './cluster-refs.js';
export { validateResource, validateWorkflow, validatePlan, validateExecution } from './validate.js';
export { validateAction, CONFIG_FIELD, ACTION_FIELDS } from './validate-action.js';
export { loadDRDocuments, checkPlanReferences, resolveWorkflowRef, namespaceOf, DEFAULT_NAMESPACE, type DRBundle, type LoadOptions } from './load.js';
export { parseGoDuration, isGoDuration, DEFAULT_ACTION_TIMEOUT, DEFAULT_RETRY } from './duration.js';
