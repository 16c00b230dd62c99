export type { ClusterProvider, ClusterProviders, CreateClusterOptions, HostPortMapping, LiveCluster, LiveStatus, StartClusterOptions } from './types.js';
export { contextNameFor } from './types.js';
export { K3dProvider, k3dCreateArgs, k3dStartArgs, type K3dProviderOptions } from './k3d-provider.js';
export { KindProvider, type KindProviderOptions } from './kind-provider.js';
export { renderKindConfig } from './kind-config.js';
export { parseK3dClusterList } from './k3d-list.js';
export { SandboxProvider, sandboxKubeconfig, type SandboxClusterBackend, type SandboxClusterState } from './sandbox-provider.js';
export type { ToolOptions } from './run-tool.js';
export { redactSecrets, stripUrlCredentials } from './redact.js';
