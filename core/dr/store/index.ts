/** Persistence of DR plans, workflows, executions and action statuses (sql/004_dr.sql). */
export * from './types.js';
export { upsertResources, listPlans, listWorkflows, findPlans } from './resources.js';
export {
  insertExecution, insertExecutionIn, asBusyError, listReverts, ONE_ACTIVE_INDEX, activeExecution, getExecution, getSnapshot, listExecutions, orphanedExecutions, claimExecution, heartbeat, finishExecution,
  requestCancel, newExecutionId, type NewExecution,
} from './executions.js';
export {
  listActionStatuses, markRunning, recordOutputs, recordAttemptError, markFinished, markMany, skipPending, markRolledBack, LeaseLostError, type Fence,
} from './action-statuses.js';
