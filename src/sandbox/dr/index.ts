/** The sandbox side of DR: the hooks server the sample plans call, Clusternet and DR CRDs, Clusternet's status, seeding the sample plans. */
export { startDrHooksServer, DR_HOOKS_PORT, type HooksServer } from './hooks-server.js';
export { ensureClusternetCrds, clusternetCrd } from './clusternet-crds.js';
export { ensureDrCrds, drCrd } from './dr-crds.js';
export { startClusternetStatus, type ClusternetSimulator } from './clusternet-status.js';
export { seedDrPlans, createDrCustomResources, DR_EXAMPLES_DIR, DR_CUSTOM_RESOURCES_DIR } from './seed.js';
export { drSecretsFor } from './secrets.js';
