import { Client, Metadata, credentials as grpcCredentials, status as grpcStatus } from '@grpc/grpc-js';
import type { ChannelCredentials, ServiceError } from '@grpc/grpc-js';
import { FleetError } from '../../errors.js';
import { AGENT_CONTROL_PORT, AGENT_STATUS_PORT, agentMethod } from './agent-protocol.js';
import type {
  AgentMethod, AgentRole, FailoverResponse, GetRoleResponse, GetStatusResponse, HealthCheckResponse, HealthStatus,
  ReloadConfigResponse,
} from './agent-protocol.js';

/** Where a pod's two agents listen: Agent 1 (status, :50051) and Agent 2 (control, :50052). */
export interface AgentEndpoints {
  statusAddress: string;
  controlAddress: string;
}

export interface AgentClientOptions {
  /** Deadline of every call; default 5 s. */
  timeoutMs?: number;
  /** Default: plaintext, as agents answer inside the cluster network. */
  credentials?: ChannelCredentials;
}

export interface AgentRoleInfo {
  role: AgentRole;
  instance: string;
  /** Instance name of the group's master as this agent sees it. */
  master: string;
}

export interface FailoverResult {
  newMaster: string;
  oldMaster: string;
  message: string;
}

export interface ReloadResult {
  /** The agent applied the dynamic keys; the pod must restart for `restartKeys` to take effect. */
  requiresRestart: boolean;
  changedKeys: string[];
  restartKeys: string[];
  configHash: string;
  message: string;
}

export interface AgentStatus {
  instance: string;
  group: string;
  role: AgentRole;
  version: string;
  healthy: boolean;
  configHash: string;
  uptimeSeconds: number;
  master: string;
  restartPending: boolean;
}

export interface AgentHealth {
  status: HealthStatus;
  message: string;
}

/** The endpoints of a pod reached by host name or IP, on the seed's ports. */
export function podAgentEndpoints(host: string): AgentEndpoints {
  return { statusAddress: `${host}:${AGENT_STATUS_PORT}`, controlAddress: `${host}:${AGENT_CONTROL_PORT}` };
}

/**
 * A typed client for a pod's agents. Every call has a deadline; failures become FleetErrors naming the address:
 * UNAVAILABLE (nothing answers), TIMEOUT (deadline passed), CONFLICT (the agent refused), NOT_FOUND, VALIDATION.
 */
export class AgentClient {
  readonly endpoints: AgentEndpoints;
  private readonly timeoutMs: number;
  private readonly status: Client;
  private readonly control: Client;

  /** One address serves both agents (as the sandbox does); or give both endpoints. */
  constructor(endpoints: AgentEndpoints | string, options: AgentClientOptions = {}) {
    this.endpoints = typeof endpoints === 'string' ? { statusAddress: endpoints, controlAddress: endpoints } : endpoints;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    const creds = options.credentials ?? grpcCredentials.createInsecure();
    this.status = new Client(this.endpoints.statusAddress, creds);
    this.control = this.endpoints.controlAddress === this.endpoints.statusAddress
      ? this.status
      : new Client(this.endpoints.controlAddress, creds);
  }

  async getRole(): Promise<AgentRoleInfo> {
    const reply = await this.call<GetRoleResponse>('GetRole', {});
    return { role: asRole(reply.role), instance: reply.instance, master: reply.master };
  }

  /**
   * Promotes `target` (default: this instance if it is a replica, else a healthy replica) and demotes the master.
   * A refusal (no healthy replica, unknown target) is a CONFLICT with the agent's reason.
   */
  async failover(request: { target?: string; force?: boolean } = {}): Promise<FailoverResult> {
    const reply = await this.call<FailoverResponse>('Failover', { target: request.target ?? '', force: request.force ?? false });
    if (!reply.success) {
      throw new FleetError('CONFLICT', `the agent at ${this.endpoints.controlAddress} refused the failover: ${reply.message}`,
        'Check the group\'s members with GetStatus; pass a healthy replica as target, or force it if you accept the risk.',
        { address: this.endpoints.controlAddress });
    }
    return { newMaster: reply.newMaster, oldMaster: reply.oldMaster, message: reply.message };
  }

  /** Asks the agent to reload `configPath` (or the given content, when the file is not mounted yet). */
  async reloadConfig(request: { configPath: string; content?: string }): Promise<ReloadResult> {
    const reply = await this.call<ReloadConfigResponse>('ReloadConfig', { configPath: request.configPath, content: request.content ?? '' });
    if (!reply.success) {
      throw new FleetError('CONFLICT', `the agent at ${this.endpoints.controlAddress} could not reload ${request.configPath}: ${reply.message}`,
        'Fix the configuration and reload again.', { address: this.endpoints.controlAddress });
    }
    return {
      requiresRestart: reply.requiresRestart, changedKeys: reply.changedKeys, restartKeys: reply.restartKeys,
      configHash: reply.configHash, message: reply.message,
    };
  }

  async getStatus(): Promise<AgentStatus> {
    const reply = await this.call<GetStatusResponse>('GetStatus', {});
    return { ...reply, role: asRole(reply.role) };
  }

  async healthCheck(): Promise<AgentHealth> {
    const reply = await this.call<HealthCheckResponse>('HealthCheck', {});
    return { status: reply.status === 'SERVING' ? 'SERVING' : 'NOT_SERVING', message: reply.message };
  }

  close(): void {
    this.status.close();
    if (this.control !== this.status) this.control.close();
  }

  private call<Response>(name: AgentMethod, request: object): Promise<Response> {
    const method = agentMethod(name);
    const isStatus = name === 'GetStatus' || name === 'HealthCheck';
    const client = isStatus ? this.status : this.control;
    const address = isStatus ? this.endpoints.statusAddress : this.endpoints.controlAddress;
    return new Promise<Response>((resolve, reject) => {
      client.makeUnaryRequest<object, Response>(
        method.path,
        (value) => method.requestSerialize(value),
        (buffer) => method.responseDeserialize(buffer) as Response,
        request,
        new Metadata(),
        { deadline: Date.now() + this.timeoutMs },
        (error, reply) => {
          if (error) reject(agentError(error, name, address, this.timeoutMs));
          else if (reply === undefined) reject(agentError({ code: grpcStatus.INTERNAL, details: 'empty reply' }, name, address, this.timeoutMs));
          else resolve(reply);
        },
      );
    });
  }
}

function asRole(role: string): AgentRole {
  return role === 'master' ? 'master' : 'replica';
}

function agentError(error: Pick<ServiceError, 'code' | 'details'>, method: AgentMethod, address: string, timeoutMs: number): FleetError {
  const details = { address, method, grpcCode: error.code };
  switch (error.code) {
    case grpcStatus.UNAVAILABLE:
      return new FleetError('UNAVAILABLE', `the agent at ${address} is not reachable (${method}: ${error.details})`,
        `Check that the pod is running and its agent listens on ${address} (status agent :${AGENT_STATUS_PORT}, control agent :${AGENT_CONTROL_PORT}).`,
        details);
    case grpcStatus.DEADLINE_EXCEEDED:
      return new FleetError('TIMEOUT', `the agent at ${address} did not answer ${method} within ${timeoutMs} ms`,
        `The pod may be overloaded or restarting; check it and try again (the address was ${address}).`, details);
    case grpcStatus.FAILED_PRECONDITION:
    case grpcStatus.ABORTED:
      return new FleetError('CONFLICT', `the agent at ${address} refused ${method}: ${error.details}`, 'Check the group\'s state and try again.', details);
    case grpcStatus.NOT_FOUND:
      return new FleetError('NOT_FOUND', `the agent at ${address} could not find what ${method} needs: ${error.details}`,
        'Check the path or name you passed exists in the pod.', details);
    case grpcStatus.INVALID_ARGUMENT:
      return new FleetError('VALIDATION', `the agent at ${address} rejected ${method}: ${error.details}`, 'Fix the request and try again.', details);
    case grpcStatus.UNIMPLEMENTED:
      return new FleetError('EXTERNAL', `the agent at ${address} does not implement ${method}`,
        `Upgrade the agent image, or check ${address} is an agent port (status :${AGENT_STATUS_PORT}, control :${AGENT_CONTROL_PORT}).`, details);
    default:
      return new FleetError('EXTERNAL', `the agent at ${address} failed ${method}: ${error.details}`, 'Check the agent\'s logs in the pod.', details);
  }
}
