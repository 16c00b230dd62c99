import { fromJSON } from '@grpc/proto-loader';
import type { MethodDefinition, ServiceDefinition } from '@grpc/proto-loader';

/**
 * The gRPC contract of the two agents in every middleware pod (seed 003):
 *   Agent 1, port 50051: StatusAgent  — GetStatus, HealthCheck (the controller polls pod state)
 *   Agent 2, port 50052: ControlAgent — GetRole, Failover, ReloadConfig (the controller drives the middleware)
 * The middleware's exporter listens on 9090. As a .proto file:
 *
 *   syntax = "proto3";
 *   package middleware.agent.v1;
 *   service StatusAgent {
 *     rpc GetStatus(GetStatusRequest) returns (GetStatusResponse);
 *     rpc HealthCheck(HealthCheckRequest) returns (HealthCheckResponse);
 *   }
 *   service ControlAgent {
 *     rpc GetRole(GetRoleRequest) returns (GetRoleResponse);
 *     rpc Failover(FailoverRequest) returns (FailoverResponse);
 *     rpc ReloadConfig(ReloadConfigRequest) returns (ReloadConfigResponse);
 *   }
 *   message GetRoleRequest {}
 *   message GetRoleResponse { string role = 1; string instance = 2; string master = 3; }
 *   message FailoverRequest { string target = 1; bool force = 2; }
 *   message FailoverResponse { bool success = 1; string message = 2; string new_master = 3; string old_master = 4; }
 *   message ReloadConfigRequest { string config_path = 1; string content = 2; }
 *   message ReloadConfigResponse { bool success = 1; bool requires_restart = 2; repeated string changed_keys = 3;
 *                                  repeated string restart_keys = 4; string config_hash = 5; string message = 6; }
 *   message GetStatusRequest {}
 *   message GetStatusResponse { string instance = 1; string group = 2; string role = 3; string version = 4;
 *                               bool healthy = 5; string config_hash = 6; uint32 uptime_seconds = 7;
 *                               string master = 8; bool restart_pending = 9; }
 *   message HealthCheckRequest {}
 *   message HealthCheckResponse { string status = 1; string message = 2; }
 */
export const AGENT_STATUS_PORT = 50051;
export const AGENT_CONTROL_PORT = 50052;
export const EXPORTER_PORT = 9090;
export const AGENT_PACKAGE = 'middleware.agent.v1';

export type AgentRole = 'master' | 'replica';
export type HealthStatus = 'SERVING' | 'NOT_SERVING';

/* Messages as JavaScript sees them (every field present). The descriptor below names fields in lowerCamelCase,
   the proto3 JSON names of the snake_case fields above; the wire format only knows the numbers. */
export type Empty = Record<string, never>;
export interface GetRoleResponse { role: string; instance: string; master: string }
export interface FailoverRequest { target: string; force: boolean }
export interface FailoverResponse { success: boolean; message: string; newMaster: string; oldMaster: string }
export interface ReloadConfigRequest { configPath: string; content: string }
export interface ReloadConfigResponse {
  success: boolean;
  requiresRestart: boolean;
  changedKeys: string[];
  restartKeys: string[];
  configHash: string;
  message: string;
}
export interface GetStatusResponse {
  instance: string;
  group: string;
  role: string;
  version: string;
  healthy: boolean;
  configHash: string;
  uptimeSeconds: number;
  master: string;
  restartPending: boolean;
}
export interface HealthCheckResponse { status: string; message: string }

const str = (id: number) => ({ type: 'string', id });
const bool = (id: number) => ({ type: 'bool', id });
const rpc = (requestType: string, responseType: string) => ({ requestType, responseType, comment: '' });

const descriptor: Parameters<typeof fromJSON>[0] = {
  nested: {
    middleware: { nested: { agent: { nested: { v1: { nested: {
      GetRoleRequest: { fields: {} },
      GetRoleResponse: { fields: { role: str(1), instance: str(2), master: str(3) } },
      FailoverRequest: { fields: { target: str(1), force: bool(2) } },
      FailoverResponse: { fields: { success: bool(1), message: str(2), newMaster: str(3), oldMaster: str(4) } },
      ReloadConfigRequest: { fields: { configPath: str(1), content: str(2) } },
      ReloadConfigResponse: {
        fields: {
          success: bool(1), requiresRestart: bool(2), changedKeys: { rule: 'repeated', type: 'string', id: 3 },
          restartKeys: { rule: 'repeated', type: 'string', id: 4 }, configHash: str(5), message: str(6),
        },
      },
      GetStatusRequest: { fields: {} },
      GetStatusResponse: {
        fields: {
          instance: str(1), group: str(2), role: str(3), version: str(4), healthy: bool(5), configHash: str(6),
          uptimeSeconds: { type: 'uint32', id: 7 }, master: str(8), restartPending: bool(9),
        },
      },
      HealthCheckRequest: { fields: {} },
      HealthCheckResponse: { fields: { status: str(1), message: str(2) } },
      StatusAgent: {
        methods: {
          GetStatus: rpc('GetStatusRequest', 'GetStatusResponse'),
          HealthCheck: rpc('HealthCheckRequest', 'HealthCheckResponse'),
        },
      },
      ControlAgent: {
        methods: {
          GetRole: rpc('GetRoleRequest', 'GetRoleResponse'),
          Failover: rpc('FailoverRequest', 'FailoverResponse'),
          ReloadConfig: rpc('ReloadConfigRequest', 'ReloadConfigResponse'),
        },
      },
    } } } } } },
  },
};

const packageDefinition = fromJSON(descriptor, { defaults: true, arrays: true, enums: String });

function service(name: string): ServiceDefinition {
  const definition = packageDefinition[`${AGENT_PACKAGE}.${name}`];
  if (definition === undefined || 'format' in definition) throw new Error(`agent protocol has no service ${name}`);
  return definition as ServiceDefinition;
}

export const statusAgentService = service('StatusAgent');
export const controlAgentService = service('ControlAgent');

export type AgentMethod = 'GetStatus' | 'HealthCheck' | 'GetRole' | 'Failover' | 'ReloadConfig';

export function agentMethod(name: AgentMethod): MethodDefinition<object, object> {
  const method = statusAgentService[name] ?? controlAgentService[name];
  if (method === undefined) throw new Error(`agent protocol has no method ${name}`);
  return method;
}
