export {
  AGENT_CONTROL_PORT, AGENT_PACKAGE, AGENT_STATUS_PORT, EXPORTER_PORT, agentMethod, controlAgentService, statusAgentService,
} from './agent-protocol.js';
export type {
  AgentMethod, AgentRole, FailoverRequest, FailoverResponse, GetRoleResponse, GetStatusResponse, HealthCheckResponse,
  HealthStatus, ReloadConfigRequest, ReloadConfigResponse,
} from './agent-protocol.js';
export { AgentClient, podAgentEndpoints } from './agent-client.js';
export type {
  AgentClientOptions, AgentEndpoints, AgentHealth, AgentRoleInfo, AgentStatus, FailoverResult, ReloadResult,
} from './agent-client.js';
