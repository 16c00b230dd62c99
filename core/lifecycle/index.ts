export type { FleetPorts, FleetPortsSource } from './ports.js';
export { REGISTRAR_KINDS, apiServerFor, findLive } from './ports.js';
export type { StepCheckpoint } from './steps-hook.js';
export { ENV_CREATE, envCreateKind, type EnvCreateParams, type LifecycleKindDeps } from './create-kind.js';
export { ENV_DELETE, envDeleteKind, type EnvDeleteParams } from './delete-kind.js';
export { LifecycleService, registerLifecycleKinds, type CreateEnvOptions, type LifecycleServiceDeps } from './lifecycle-service.js';
export { ensureClusterRunning, ensureRegistered, requireRow, unregister } from './env-effects.js';
