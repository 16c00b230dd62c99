/** Exporting DR plans as Argo Workflows (seed 004 §11.3): the Execute Workflow and the Revert Workflow. */
export { toArgoWorkflow, toArgoRevertWorkflow, toArgoRevertOfExecution, type ArgoExportOptions, type RevertExportStepInput } from './workflow.js';
export { ArgoExportError, translateString, translateTree, type TranslateScope } from './translate.js';
export { translateWhen } from './when.js';
export { actionTemplate, deleteTemplate, secretName, dns } from './templates.js';
