/**
 * The sandbox's stand-in for the agents inside middleware pods. The process hosting the sandbox clusters runs one
 * sandbox agent per instance recorded in a Group's status (`status.members[].agent`, a loopback port chosen when
 * the group was seeded), so any fleetdeck process reaches them at the address the Group names. Roles come from the
 * status too (failover records them), so a new host resumes where the old one stopped. When an instance's pod is
 * replaced (a restart after a reload), its agent comes back running the new configuration, as a real pod would.
 */
import type { AgentRole } from '../../../core/apps/agent/index.js';
import { LABELS, MIDDLEWARE_API_VERSION, instanceNames, parseGroup, parsePlugin } from '../../../core/apps/index.js';
import type { Group, MemberStatus } from '../../../core/apps/index.js';
import { SandboxGroupRegistry, parseRedisConfig, startSandboxAgent } from '../agent/index.js';
import type { SandboxAgent } from '../agent/index.js';
import type { KubeObject, SandboxCluster } from '../kube-api/index.js';

interface RunningGroup {
  registry: SandboxGroupRegistry;
  agents: Map<string, SandboxAgent>;
}

function portOf(address: string): number | undefined {
  const match = /^127\.0\.0\.1:(\d+)$/.exec(address);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export class SandboxAppAgents {
  private readonly groups = new Map<string, RunningGroup>();
  private readonly podUids = new Map<string, string>();
  private unsubscribe: (() => void) | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(private readonly cluster: SandboxCluster) {}

  /** Starts agents for every seeded group now, and follows Groups and pods from then on. */
  static async start(cluster: SandboxCluster): Promise<SandboxAppAgents> {
    const agents = new SandboxAppAgents(cluster);
    await agents.reconcile();
    agents.unsubscribe = cluster.store.subscribe((event) => {
      if (event.resource === `${MIDDLEWARE_API_VERSION.split('/')[0]}/groups`) agents.enqueue(() => agents.reconcile());
      // A new workload may be an instance of a group applied after seeding, whose agents start now.
      else if (event.resource === 'apps/deployments' && event.type === 'ADDED') agents.enqueue(() => agents.reconcile());
      else if (event.resource === '/pods' && event.type === 'ADDED') agents.onPod(event.object);
    });
    return agents;
  }

  /** The running agent of an instance (tests use it to make a member unhealthy). */
  agent(group: string, instance: string): SandboxAgent | undefined {
    return this.groups.get(group)?.agents.get(instance);
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch(() => undefined);
  }

  private groupObjects(): KubeObject[] {
    try {
      return this.cluster.objects.list(MIDDLEWARE_API_VERSION, 'Group');
    } catch {
      return []; // The CRDs are not installed yet.
    }
  }

  private configOf(group: Group): Record<string, string> | undefined {
    try {
      const plugin = this.cluster.objects.list('v1', 'ConfigMap').find((c) => c.metadata.labels?.[LABELS.plugin] === group.spec.type);
      if (!plugin) return undefined;
      const configFile = parsePlugin(plugin).configFile;
      const own = this.cluster.objects.list('v1', 'ConfigMap', group.namespace).find((c) => c.metadata.labels?.[LABELS.group] === group.name);
      const text = (own?.['data'] as Record<string, unknown> | undefined)?.[configFile];
      return typeof text === 'string' ? parseRedisConfig(text) : undefined;
    } catch {
      return undefined;
    }
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const object of this.groupObjects()) {
      let group: Group;
      try {
        group = parseGroup(object);
      } catch {
        continue;
      }
      seen.add(group.name);
      await this.ensureGroup(group);
    }
    for (const [name, running] of this.groups) {
      if (seen.has(name)) continue;
      this.groups.delete(name);
      await Promise.all([...running.agents.values()].map((a) => a.stop()));
    }
  }

  /**
   * The keys the instance's control agent treats as start-up only, as the plugin rendered them (toJson) into the
   * agent container's MIDDLEWARE_RESTART_KEYS; undefined keeps the agent's default.
   */
  private restartKeysOf(group: Group, instance: string): string[] | undefined {
    try {
      const deployment = this.cluster.objects.list('apps/v1', 'Deployment', group.namespace).find((d) => d.metadata.name === instance);
      const containers = ((deployment?.['spec'] as { template?: { spec?: { containers?: unknown } } } | undefined)?.template?.spec?.containers);
      if (!Array.isArray(containers)) return undefined;
      for (const container of containers as { env?: { name?: string; value?: string }[] }[]) {
        const value = container.env?.find((e) => e.name === 'MIDDLEWARE_RESTART_KEYS')?.value;
        if (value === undefined) continue;
        const keys: unknown = JSON.parse(value);
        return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : undefined;
      }
    } catch {
      // Not rendered yet, or not JSON: the agent's defaults apply.
    }
    return undefined;
  }

  private async startAgent(running: RunningGroup, group: Group, instance: string, role: AgentRole, port: number): Promise<SandboxAgent | undefined> {
    const config = this.configOf(group);
    const staticKeys = this.restartKeysOf(group, instance);
    const agent = await startSandboxAgent({
      registry: running.registry, instance, role: role === 'master' && running.registry.master() ? 'replica' : role,
      version: group.spec.version, port, ...(config ? { config } : {}), ...(staticKeys ? { staticKeys } : {}),
    }).catch(() => undefined); // Port taken: the instance shows as unreachable, which is what a user would see.
    if (agent) running.agents.set(instance, agent);
    return agent;
  }

  private async ensureGroup(group: Group): Promise<void> {
    let running = this.groups.get(group.name);
    if (!running) {
      running = { registry: new SandboxGroupRegistry(group.name), agents: new Map() };
      this.groups.set(group.name, running);
    }
    for (const member of group.status.members ?? []) {
      if (!member.agent) continue;
      const port = portOf(member.agent.control);
      if (port === undefined) continue;
      const current = running.agents.get(member.instance);
      if (current && current.address === member.agent.control) continue;
      if (current) {
        // The status names another address (whoever wrote it last wins): move the agent there.
        running.agents.delete(member.instance);
        running.registry.leave(member.instance);
        await current.stop();
      }
      await this.startAgent(running, group, member.instance, member.role, port);
    }
    await this.addMissingMembers(running, group);
    this.rememberPods(group);
  }

  /**
   * A group applied after seeding (`apps apply`) has no agent addresses in its status: once its workloads exist,
   * start its agents on free loopback ports and record them there, as the seeding does, so it answers like the
   * sandbox's own app.
   */
  private async addMissingMembers(running: RunningGroup, group: Group): Promise<void> {
    const recorded = new Map((group.status.members ?? []).map((m) => [m.instance, m]));
    const rendered = new Set(this.cluster.objects.list('apps/v1', 'Deployment', group.namespace).map((d) => d.metadata.name ?? ''));
    const missing = instanceNames(group).filter((i) => !recorded.get(i)?.agent && rendered.has(i));
    if (missing.length === 0) return;
    const hasMaster = [...recorded.values()].some((m) => m.role === 'master') || running.registry.master() !== undefined;
    const added: MemberStatus[] = [];
    for (const [index, instance] of missing.entries()) {
      const role: AgentRole = !hasMaster && index === 0 ? 'master' : 'replica';
      const agent = running.agents.get(instance) ?? await this.startAgent(running, group, instance, role, 0);
      if (agent) added.push({ instance, role: agent.state.role, agent: { status: agent.address, control: agent.address } });
    }
    if (added.length === 0) return;
    // Read the status again right before writing (no await in between): whoever recorded addresses meanwhile (the
    // seeding) wins, and the next reconcile moves these agents there.
    const ref = { apiVersion: MIDDLEWARE_API_VERSION, kind: 'Group', namespace: group.namespace, name: group.name };
    const live = this.cluster.objects.get(ref);
    if (!live) return;
    const now = new Map((parseGroup(live).status.members ?? []).map((m) => [m.instance, m]));
    const fill = added.filter((m) => !now.get(m.instance)?.agent);
    if (fill.length === 0) return;
    const status = (live['status'] ?? {}) as Record<string, unknown>;
    const members = instanceNames(group).map((instance) => fill.find((m) => m.instance === instance) ?? now.get(instance))
      .filter((m): m is MemberStatus => m !== undefined);
    this.cluster.objects.putStatus(ref, { ...status, phase: status['phase'] ?? 'Running', members });
  }

  private rememberPods(group: Group): void {
    for (const pod of this.cluster.objects.list('v1', 'Pod', group.namespace)) {
      const instance = pod.metadata.labels?.[LABELS.instance];
      if (instance && pod.metadata.labels?.[LABELS.group] === group.name) this.podUids.set(instance, pod.metadata.uid ?? '');
    }
  }

  private onPod(pod: KubeObject): void {
    const instance = pod.metadata.labels?.[LABELS.instance];
    const group = pod.metadata.labels?.[LABELS.group];
    if (!instance || !group) return;
    const previous = this.podUids.get(instance);
    this.podUids.set(instance, pod.metadata.uid ?? '');
    // A replacement pod starts the middleware afresh: whatever waited for a restart is now applied.
    if (previous !== undefined && previous !== pod.metadata.uid) this.groups.get(group)?.agents.get(instance)?.restart();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.queue;
    const all = [...this.groups.values()].flatMap((g) => [...g.agents.values()]);
    this.groups.clear();
    await Promise.all(all.map((a) => a.stop()));
  }
}

export function startSandboxAppAgents(cluster: SandboxCluster): Promise<SandboxAppAgents> {
  return SandboxAppAgents.start(cluster);
}
