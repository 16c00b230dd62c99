/**
 * Finding a group's agents and asking them how they are. An instance's agents are where the Group status says
 * (recorded by whoever started them: the sandbox, or a controller that knows its pod network), else at its pod's
 * IP on the seed's ports (50051 status, 50052 control).
 */
import { FleetError, asFleetError } from '../errors.js';
import type { KubeGateway } from '../kube/types.js';
import { AgentClient, podAgentEndpoints } from './agent/index.js';
import type { AgentEndpoints, AgentRole } from './agent/index.js';
import { LABELS, instanceNames } from './model.js';
import type { Group, GroupStatus, MemberStatus } from './model.js';

export interface InstanceAgent {
  instance: string;
  endpoints: AgentEndpoints;
  /** 'status': the address recorded in the Group status; 'pod-ip': the pod's IP, routable only inside the cluster network. */
  via: 'status' | 'pod-ip';
}

/**
 * An agent that could not be reached at its pod IP is, most of the time, a jumpbox outside the pod network: say so,
 * instead of suggesting the pod is down.
 */
export function explainUnreachable(error: unknown, agent: InstanceAgent): FleetError {
  const failure = asFleetError(error);
  if (agent.via !== 'pod-ip' || (failure.code !== 'UNAVAILABLE' && failure.code !== 'TIMEOUT')) return failure;
  return new FleetError(failure.code,
    `${failure.message}; ${agent.endpoints.controlAddress.split(':')[0] ?? ''} is the pod IP of ${agent.instance}, which only the cluster network routes`,
    'Run fleetdeck where pod IPs are routable (inside the cluster, or over a route or VPN into the pod network), '
    + 'or record addresses fleetdeck can reach in the Group status (status.members[].agent.status / .control).',
    { ...failure.details, instance: agent.instance, via: 'pod-ip' });
}

/** Builds clients; tests and callers may pass options such as a shorter deadline. */
export type AgentClientFactory = (endpoints: AgentEndpoints) => AgentClient;

export const defaultAgentClients = (timeoutMs = 5_000): AgentClientFactory => (endpoints) => new AgentClient(endpoints, { timeoutMs });

/** Every instance with the endpoints of its agents. An instance with neither a recorded address nor a pod IP is an error. */
export async function groupAgents(kube: KubeGateway, group: Group): Promise<InstanceAgent[]> {
  const recorded = new Map((group.status.members ?? []).map((m) => [m.instance, m]));
  const missing = instanceNames(group).filter((name) => !recorded.get(name)?.agent);
  const podIps = new Map<string, string>();
  if (missing.length > 0) {
    const pods = await kube.list('v1', 'Pod', { namespace: group.namespace, labelSelector: `${LABELS.group}=${group.name}` });
    for (const pod of pods.items) {
      const instance = pod.metadata.labels?.[LABELS.instance];
      const status = pod['status'] as { podIP?: unknown; phase?: unknown } | undefined;
      if (instance && typeof status?.podIP === 'string' && status.phase === 'Running') podIps.set(instance, status.podIP);
    }
  }
  return instanceNames(group).map((instance) => {
    const agent = recorded.get(instance)?.agent;
    if (agent) return { instance, endpoints: { statusAddress: agent.status, controlAddress: agent.control }, via: 'status' };
    const ip = podIps.get(instance);
    if (!ip) {
      throw new FleetError('UNAVAILABLE', `instance ${instance} of group ${group.name} has no running pod to reach its agents`,
        `Check the pods: \`kubectl -n ${group.namespace} get pods -l ${LABELS.instance}=${instance}\`.`, { instance });
    }
    return { instance, endpoints: podAgentEndpoints(ip), via: 'pod-ip' };
  });
}

export type MemberHealth = 'healthy' | 'unhealthy' | 'unreachable';

/** An instance as its agents describe it right now; `role` falls back to the recorded one when unreachable. */
export interface MemberView {
  instance: string;
  role: AgentRole;
  health: MemberHealth;
  version: string;
  configHash: string;
  restartPending: boolean;
  /** What the agent's HealthCheck said (why it is not serving). */
  healthMessage?: string;
  /** Why it is unreachable. */
  error?: string;
}

/**
 * Asks every instance's status agent, concurrently, each under its own deadline: GetStatus for role, version and
 * configuration, HealthCheck for health (an agent without HealthCheck falls back to GetStatus's flag). Never throws
 * for one agent.
 */
export async function probeMembers(agents: readonly InstanceAgent[], recorded: readonly MemberStatus[], clients: AgentClientFactory): Promise<MemberView[]> {
  return Promise.all(agents.map(async (agent): Promise<MemberView> => {
    const { instance, endpoints } = agent;
    const client = clients(endpoints);
    try {
      const [status, health] = await Promise.all([client.getStatus(), client.healthCheck().catch(() => null)]);
      const serving = health ? health.status === 'SERVING' : status.healthy;
      return { instance, role: status.role, health: serving ? 'healthy' : 'unhealthy', version: status.version,
        configHash: status.configHash, restartPending: status.restartPending,
        ...(health && !serving ? { healthMessage: health.message } : {}) };
    } catch (error) {
      const role = recorded.find((m) => m.instance === instance)?.role ?? 'replica';
      return { instance, role, health: 'unreachable', version: '', configHash: '', restartPending: false, error: explainUnreachable(error, agent).message };
    } finally {
      client.close();
    }
  }));
}

/** The master as the agents see it (GetRole of the first agent that answers), or undefined when none answers. */
export async function masterByAgents(agents: readonly InstanceAgent[], clients: AgentClientFactory): Promise<string | undefined> {
  for (const agent of agents) {
    const client = clients(agent.endpoints);
    try {
      const role = await client.getRole();
      if (role.master) return role.master;
    } catch {
      // Ask the next one.
    } finally {
      client.close();
    }
  }
  return undefined;
}

/** Writes part of a Group's status (merge patch: lists such as members are replaced whole). */
export async function patchGroupStatus(kube: KubeGateway, group: Pick<Group, 'name' | 'namespace'>, status: Partial<GroupStatus>,
  annotations?: Record<string, string | null>): Promise<void> {
  await kube.patch({ apiVersion: 'middleware.io/v1alpha1', kind: 'Group', namespace: group.namespace, name: group.name },
    { status, ...(annotations ? { metadata: { annotations } } : {}) }, 'merge');
}

/** The recorded members with roles updated, keeping their agent addresses and data directories. */
export function withRoles(group: Group, roles: ReadonlyMap<string, AgentRole>): MemberStatus[] {
  const recorded = new Map((group.status.members ?? []).map((m) => [m.instance, m]));
  return instanceNames(group).map((instance) => ({
    ...(recorded.get(instance) ?? { instance }),
    instance,
    role: roles.get(instance) ?? recorded.get(instance)?.role ?? 'replica',
  }));
}
