/** The sandbox side of DR: the hooks server the sample plans call, Clusternet CRDs, and seeding the sample plans. */
export { startDrHooksServer, DR_HOOKS_PORT, type HooksServer } from './hooks-server.js';
export { ensureClusternetCrds, clusternetCrd } from './clusternet-crds.js';
export { seedDrPlans, DR_EXAMPLES_DIR } from './seed.js';
