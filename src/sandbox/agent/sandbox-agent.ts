import { readFile } from 'node:fs/promises';
import { Server, ServerCredentials, status as grpcStatus } from '@grpc/grpc-js';
import type {
  ServerErrorResponse, ServerUnaryCall, ServiceDefinition, UntypedServiceImplementation, sendUnaryData,
} from '@grpc/grpc-js';
import { controlAgentService, statusAgentService } from '../../../core/apps/agent/index.js';
import type { AgentEndpoints } from '../../../core/apps/agent/index.js';
import type {
  AgentRole, FailoverRequest, FailoverResponse, GetRoleResponse, GetStatusResponse, HealthCheckResponse,
  ReloadConfigRequest, ReloadConfigResponse,
} from '../../../core/apps/agent/index.js';
import { SandboxGroupRegistry } from './group-registry.js';
import type { SandboxMemberState } from './group-registry.js';
import { REDIS_STATIC_KEYS, changedKeys, configHash, parseRedisConfig } from './redis-config.js';
import type { MiddlewareConfig } from './redis-config.js';

export interface SandboxAgentOptions {
  registry: SandboxGroupRegistry;
  instance: string;
  role: AgentRole;
  version?: string;
  config?: MiddlewareConfig;
  /** Keys whose change needs a restart; default: Redis's start-up-only keys. */
  staticKeys?: readonly string[];
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Serve Agent 1 (status) and Agent 2 (control) on two ports, as a real pod does (50051, 50052). */
  separatePorts?: boolean;
}

export interface SandboxAgent {
  /** host:port of the control agent; with one port (the default) it serves the status agent too. */
  address: string;
  endpoints: AgentEndpoints;
  state: SandboxMemberState;
  /** What the controller does when a reload says requiresRestart: the pod comes back running the new config. */
  restart(): void;
  stop(): Promise<void>;
}

const DEFAULT_CONFIG: MiddlewareConfig = { port: '6379', 'maxmemory-policy': 'noeviction', maxmemory: '256mb', appendonly: 'yes' };

class RpcError extends Error {
  constructor(readonly code: grpcStatus, message: string) {
    super(message);
  }
}

/**
 * A pod's two agents for a Redis-like primary/replica group, on one gRPC server: role, failover through the
 * shared registry, config reload from a file (or inline content), status and health.
 */
export async function startSandboxAgent(options: SandboxAgentOptions): Promise<SandboxAgent> {
  const { registry } = options;
  const staticKeys = new Set((options.staticKeys ?? REDIS_STATIC_KEYS).map((k) => k.toLowerCase()));
  const config = { ...(options.config ?? DEFAULT_CONFIG) };
  const state = registry.join({
    instance: options.instance, group: registry.group, role: options.role, version: options.version ?? '7.2.4',
    healthy: true, config, configHash: configHash(config), restartPending: false, startedAt: Date.now(),
  });

  const control: UntypedServiceImplementation = {
    GetRole: unary<object, GetRoleResponse>(() => ({
      role: state.role, instance: state.instance, master: registry.master()?.instance ?? '',
    })),
    Failover: unary<FailoverRequest, FailoverResponse>((request) => registry.failover(state.instance, request.target, request.force)),
    ReloadConfig: unary<ReloadConfigRequest, ReloadConfigResponse>(async (request) => {
      if (request.configPath === '' && request.content === '') throw new RpcError(grpcStatus.INVALID_ARGUMENT, 'configPath is empty');
      let text = request.content;
      if (text === '') {
        try {
          text = await readFile(request.configPath, 'utf8');
        } catch {
          throw new RpcError(grpcStatus.NOT_FOUND, `cannot read ${request.configPath}`);
        }
      }
      const next = parseRedisConfig(text);
      const changed = changedKeys(state.config, next);
      const restartKeys = changed.filter((k) => staticKeys.has(k));
      state.config = next;
      state.configHash = configHash(next);
      if (restartKeys.length > 0) state.restartPending = true;
      const message = changed.length === 0 ? 'configuration unchanged'
        : restartKeys.length > 0 ? `applied ${changed.length - restartKeys.length} key(s) live; ${restartKeys.join(', ')} need(s) a restart`
          : `applied ${changed.length} key(s) live`;
      return { success: true, requiresRestart: restartKeys.length > 0, changedKeys: changed, restartKeys, configHash: state.configHash, message };
    }),
  };
  const status: UntypedServiceImplementation = {
    GetStatus: unary<object, GetStatusResponse>(() => ({
      instance: state.instance, group: state.group, role: state.role, version: state.version, healthy: state.healthy,
      configHash: state.configHash, uptimeSeconds: Math.floor((Date.now() - state.startedAt) / 1000),
      master: registry.master()?.instance ?? '', restartPending: state.restartPending,
    })),
    HealthCheck: unary<object, HealthCheckResponse>(() => (state.healthy
      ? { status: 'SERVING', message: `${state.instance} is serving as ${state.role}` }
      : { status: 'NOT_SERVING', message: `${state.instance} does not answer PING` })),
  };

  const host = options.host ?? '127.0.0.1';
  const servers: Server[] = [];
  let endpoints: AgentEndpoints;
  try {
    if (options.separatePorts) {
      const statusServer = await serve([[statusAgentService, status]], host, options.port ?? 0, servers);
      const controlServer = await serve([[controlAgentService, control]], host, 0, servers);
      endpoints = { statusAddress: `${host}:${statusServer}`, controlAddress: `${host}:${controlServer}` };
    } else {
      const port = await serve([[statusAgentService, status], [controlAgentService, control]], host, options.port ?? 0, servers);
      endpoints = { statusAddress: `${host}:${port}`, controlAddress: `${host}:${port}` };
    }
  } catch (error) {
    await Promise.all(servers.map(shutdown));
    registry.leave(state.instance);
    throw error;
  }

  let stopped = false;
  return {
    address: endpoints.controlAddress,
    endpoints,
    state,
    restart: () => {
      state.restartPending = false;
      state.startedAt = Date.now();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      state.healthy = false;
      await Promise.all(servers.map(shutdown));
    },
  };
}

async function serve(services: [ServiceDefinition, UntypedServiceImplementation][], host: string, port: number,
  servers: Server[]): Promise<number> {
  const server = new Server();
  for (const [definition, implementation] of services) server.addService(definition, implementation);
  servers.push(server);
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
}

function shutdown(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

function unary<Request, Response>(handle: (request: Request) => Response | Promise<Response>) {
  return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>): void => {
    Promise.resolve()
      .then(() => handle(call.request))
      .then((reply) => callback(null, reply))
      .catch((error: unknown) => {
        const failure: Partial<ServerErrorResponse> = error instanceof RpcError
          ? { code: error.code, details: error.message }
          : { code: grpcStatus.INTERNAL, details: error instanceof Error ? error.message : String(error) };
        callback(failure, null);
      });
  };
}

/** A primary/replica group of sandbox agents: the first instance is the master. */
export async function startSandboxGroup(group: string, instances: readonly string[],
  options: Omit<SandboxAgentOptions, 'registry' | 'instance' | 'role' | 'port'> = {}): Promise<{ registry: SandboxGroupRegistry; agents: SandboxAgent[]; stop(): Promise<void> }> {
  const registry = new SandboxGroupRegistry(group);
  const agents: SandboxAgent[] = [];
  try {
    for (const [index, instance] of instances.entries()) {
      agents.push(await startSandboxAgent({ ...options, registry, instance, role: index === 0 ? 'master' : 'replica' }));
    }
  } catch (error) {
    await Promise.all(agents.map((a) => a.stop()));
    throw error;
  }
  return { registry, agents, stop: async () => { await Promise.all(agents.map((a) => a.stop())); } };
}
