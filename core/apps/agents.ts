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
    if (agent) return { instance, endpoints: { statusAddress: agent.status, controlAddress: agent.control } };
    const ip = podIps.get(instance);
    if (!ip) {
      throw new FleetError('UNAVAILABLE', `instance ${instance} of group ${group.name} has no running pod to reach its agents`,
        `Check the pods: \`kubectl -n ${group.namespace} get pods -l ${LABELS.instance}=${instance}\`.`, { instance });
    }
    return { instance, endpoints: podAgentEndpoints(ip) };
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
  /** Why it is unreachable. */
  error?: string;
}

/** Asks every instance's status agent, concurrently, each under its own deadline. Never throws for one agent. */
export async function probeMembers(agents: readonly InstanceAgent[], recorded: readonly MemberStatus[], clients: AgentClientFactory): Promise<MemberView[]> {
  return Promise.all(agents.map(async ({ instance, endpoints }): Promise<MemberView> => {
    const client = clients(endpoints);
    try {
      const status = await client.getStatus();
      return { instance, role: status.role, health: status.healthy ? 'healthy' : 'unhealthy', version: status.version,
        configHash: status.configHash, restartPending: status.restartPending };
    } catch (error) {
      const role = recorded.find((m) => m.instance === instance)?.role ?? 'replica';
      return { instance, role, health: 'unreachable', version: '', configHash: '', restartPending: false, error: asFleetError(error).message };
    } finally {
      client.close();
    }
  }));
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
