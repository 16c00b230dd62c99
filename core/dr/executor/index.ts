/** The DR executor: runs Execute and Revert executions durably (resume after a crash, lease, cancel). */
export { runExecution, type RunOutcome } from './executor.js';
export { planRevert, stepActs, type RevertStep } from './revert.js';
export { newRevert, type RevertInput } from './start-revert.js';
export { renderSnapshot, actionKeysOf, lookupIn, runSecrets } from './plan-runs.js';
export { DEFAULT_LEASE_MS, DEFAULT_PARALLELISM, type ExecutorDeps, type RunOptions } from './types.js';
