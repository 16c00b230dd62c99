/**
 * Day-2 operations on a group through its agents: reload configuration (restarting the pods whose agent says the
 * change needs it) and failover.
 */
import { createHash } from 'node:crypto';
import { FleetError, ValidationError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import type { AgentRole } from './agent/index.js';
import { explainUnreachable, groupAgents, masterByAgents, patchGroupStatus, withRoles } from './agents.js';
import type { AgentClientFactory } from './agents.js';
import { isPlain } from './fields.js';
import { ANNOTATIONS } from './model.js';
import type { Group } from './model.js';
import type { Plugin } from './plugin.js';
import { configMapState, handEditConflict, shouldApply } from './configmap-edits.js';
import { renderGroup } from './render.js';

export interface InstanceReload {
  instance: string;
  changedKeys: string[];
  restartKeys: string[];
  requiresRestart: boolean;
  /** fleetdeck restarted the pod (bumped its restartedAt annotation). */
  restarted: boolean;
  message: string;
  /** The agent could not be asked; the other instances were still reloaded. */
  error?: string;
}

export interface ReloadReport {
  group: string;
  namespace: string;
  /** The rendered ConfigMap differed from the live one and was applied. */
  configMapUpdated: boolean;
  /** What the agents were given: the render, or the live ConfigMap as edited by hand (left as it is). */
  source: 'rendered' | 'live';
  configHash: string;
  instances: InstanceReload[];
}

export function configTextHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** What `kubectl rollout restart` does: a new pod-template annotation, so the workload replaces its pod. */
export async function restartInstance(kube: KubeGateway, group: Pick<Group, 'namespace'>, instance: string, at = new Date()): Promise<void> {
  await kube.patch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: group.namespace, name: instance },
    { spec: { template: { metadata: { annotations: { [ANNOTATIONS.restartedAt]: at.toISOString() } } } } }, 'merge');
}

/**
 * Hands the configuration text to every instance's control agent. The text travels with the call, so the reload
 * does not wait for the kubelet to refresh the mounted file. Instances whose agent reports requiresRestart are
 * restarted; one unreachable agent does not stop the others (its row carries the error).
 */
export async function reloadAgents(kube: KubeGateway, group: Group, plugin: Plugin, configText: string,
  clients: AgentClientFactory): Promise<InstanceReload[]> {
  const results: InstanceReload[] = [];
  for (const agent of await groupAgents(kube, group)) {
    const { instance } = agent;
    const client = clients(agent.endpoints);
    try {
      const reply = await client.reloadConfig({ configPath: plugin.configPath, content: configText });
      let restarted = false;
      if (reply.requiresRestart) {
        await restartInstance(kube, group, instance);
        restarted = true;
      }
      results.push({ instance, changedKeys: reply.changedKeys, restartKeys: reply.restartKeys, requiresRestart: reply.requiresRestart, restarted, message: reply.message });
    } catch (error) {
      const message = explainUnreachable(error, agent).message;
      results.push({ instance, changedKeys: [], restartKeys: [], requiresRestart: false, restarted: false, message, error: message });
    } finally {
      client.close();
    }
  }
  return results;
}

export function configTextOf(configMap: KubeObject | undefined, plugin: Plugin): string | undefined {
  const data = configMap?.['data'];
  return isPlain(data) && typeof data[plugin.configFile] === 'string' ? data[plugin.configFile] as string : undefined;
}

export interface ReloadOptions {
  /** Apply the rendered ConfigMap even over hand edits made since the last render (they are lost). */
  overwrite?: boolean;
}

/**
 * `apps reload GROUP`: render the group's ConfigMap and reload every agent with the configuration that should run:
 *   - the Group spec changed since the last render, the live ConfigMap was not edited → apply the render, reload it;
 *   - the live ConfigMap was edited by hand, the spec did not change → reload the live text, leave it as it is;
 *   - both changed → refuse (ConflictError) before changing anything, unless `overwrite`.
 */
export async function reloadGroup(kube: KubeGateway, group: Group, plugin: Plugin, clients: AgentClientFactory,
  options: ReloadOptions = {}): Promise<ReloadReport> {
  const rendered = renderGroup(group, plugin);
  if (!rendered.configMap || rendered.configText === undefined) {
    throw new ValidationError(`plugin ${plugin.type} renders no ConfigMap holding ${plugin.configFile} for group ${group.name}`,
      `Add a configmap.yaml template whose data has the key ${plugin.configFile}.`, 'configFile');
  }
  const { decision, live } = await configMapState(kube, rendered.configMap);
  if (decision === 'conflict' && !options.overwrite) throw handEditConflict(rendered.configMap, group.name);
  const configMapUpdated = shouldApply(decision, options.overwrite);
  if (configMapUpdated) await kube.apply(rendered.configMap);
  const liveText = decision === 'keep-live' ? configTextOf(live, plugin) : undefined;
  const text = liveText ?? rendered.configText;
  const instances = await reloadAgents(kube, group, plugin, text, clients);
  const configHash = configTextHash(text);
  await patchGroupStatus(kube, group, { configHash });
  return { group: group.name, namespace: group.namespace, configMapUpdated, source: liveText === undefined ? 'rendered' : 'live', configHash, instances };
}

/**
 * The ConfigMap change flow (seed 003 §3.1): someone changed a group's ConfigMap; if its text differs from what
 * the group last reloaded, hand it to the agents. Returns null when there was nothing new.
 */
export async function reloadChangedConfigMap(kube: KubeGateway, group: Group, plugin: Plugin, configMap: KubeObject,
  clients: AgentClientFactory): Promise<ReloadReport | null> {
  const text = configTextOf(configMap, plugin);
  if (text === undefined) return null;
  const configHash = configTextHash(text);
  if (configHash === group.status.configHash) return null;
  const instances = await reloadAgents(kube, group, plugin, text, clients);
  await patchGroupStatus(kube, group, { configHash });
  return { group: group.name, namespace: group.namespace, configMapUpdated: false, source: 'live', configHash, instances };
}

export interface FailoverReport {
  group: string;
  namespace: string;
  oldMaster: string;
  newMaster: string;
  message: string;
}

/**
 * Promotes `target` (or a healthy replica the agents choose). The master — as the agents report it (GetRole), else
 * as the Group status records it — is asked first; when it cannot be reached (the usual reason to fail over) a
 * replica is asked to promote itself. The new roles are recorded in the Group status.
 */
export async function failoverGroup(kube: KubeGateway, group: Group, clients: AgentClientFactory,
  request: { target?: string; force?: boolean } = {}): Promise<FailoverReport> {
  const agents = await groupAgents(kube, group);
  if (request.target !== undefined && !agents.some((a) => a.instance === request.target)) {
    throw new ValidationError(`group ${group.name} has no instance "${request.target}"`,
      `Pass one of ${agents.map((a) => a.instance).join(', ')}.`, 'target');
  }
  const master = await masterByAgents(agents, clients) ?? group.status.members?.find((m) => m.role === 'master')?.instance;
  const order = [...agents].sort((a, b) => Number(b.instance === master) - Number(a.instance === master)
    || Number(b.instance === request.target) - Number(a.instance === request.target));
  let lastError: FleetError | undefined;
  for (const agent of order) {
    const client = clients(agent.endpoints);
    try {
      const result = await client.failover({ ...(request.target ? { target: request.target } : {}), force: request.force ?? false });
      const roles = new Map<string, AgentRole>(agents.map((a) => [a.instance, a.instance === result.newMaster ? 'master' : 'replica']));
      await patchGroupStatus(kube, group, { members: withRoles(group, roles) });
      return { group: group.name, namespace: group.namespace, oldMaster: result.oldMaster, newMaster: result.newMaster, message: result.message };
    } catch (error) {
      const failure = explainUnreachable(error, agent);
      // A refusal is the group's answer, not a reason to ask another agent.
      if (failure.code !== 'UNAVAILABLE' && failure.code !== 'TIMEOUT') throw failure;
      lastError = failure;
    } finally {
      client.close();
    }
  }
  throw lastError ?? new FleetError('UNAVAILABLE', `no agent of group ${group.name} answered`, 'Check the group\'s pods.');
}
