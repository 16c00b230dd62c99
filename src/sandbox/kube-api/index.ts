/** The sandbox Kubernetes API server: real REST API over loopback HTTP, one server per sandbox cluster. */
export { startSandboxCluster, SandboxObjects } from './cluster.js';
export type { SandboxCluster, SandboxClusterOptions, ObjectRef } from './cluster.js';
export { kubeconfigFor } from './kubeconfig.js';
export type { KubeconfigEntry } from './kubeconfig.js';
export type { ControllerOptions } from './controller.js';
export type { TokenRole } from './server.js';
export type { KubeObject, ObjectMeta } from './json.js';
export { FAIL_ANNOTATION } from './pods.js';
export { LOG_ANNOTATION } from './handlers.js';
export { ClusterStore } from './store.js';
