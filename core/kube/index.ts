/** core/kube: the KubeGateway port and its client-node adapter. */
export type * from './types.js';
export { ClientNodeKubeGateway, DEFAULT_KUBE_TIMEOUT_MS } from './client-node-gateway.js';
export type { ClientNodeGatewayOptions } from './client-node-gateway.js';
export { loadKubeConfig, forContext, contextNames, defaultKubeconfigPaths } from './connection.js';
export type { KubeConnection, KubeConfigSource } from './connection.js';
export { mapKubeError } from './errors.js';
export { createKubeGateway, listKubeContexts, KubeGatewayPool } from './gateways.js';
export type { GatewayOptions } from './gateways.js';
