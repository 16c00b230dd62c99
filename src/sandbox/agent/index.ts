export { startSandboxAgent, startSandboxGroup } from './sandbox-agent.js';
export type { SandboxAgent, SandboxAgentOptions } from './sandbox-agent.js';
export { SandboxGroupRegistry } from './group-registry.js';
export type { FailoverOutcome, SandboxMemberState } from './group-registry.js';
export { REDIS_STATIC_KEYS, changedKeys, configHash, parseRedisConfig, renderRedisConfig } from './redis-config.js';
export type { MiddlewareConfig } from './redis-config.js';
