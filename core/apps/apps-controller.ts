/**
 * The change flows of seed 003 §3 as one watcher loop: a group's ConfigMap edited in the cluster is handed to its
 * agents (ReloadConfig, restart when the agent says so); a changed plugin marks its groups for re-rendering and,
 * with `roll`, rolls them. Work runs one change at a time, in the order the changes arrived. Watches that end are
 * opened again; the objects they replay are recognised by their hashes, so nothing is reloaded twice.
 *
 * startAppsControllerSingleton runs it only while this process holds the cluster's controller lease: that is what
 * the daemon and the sandbox host call.
 */
import { hostname, userInfo } from 'node:os';
import { asFleetError } from '../errors.js';
import type { KubeGateway, WatchEvent } from '../kube/types.js';
import type { AgentClientFactory } from './agents.js';
import { defaultAgentClients, patchGroupStatus } from './agents.js';
import { readClusterApps } from './catalog.js';
import { contendForControllerLease } from './controller-lease.js';
import { ANNOTATIONS, LABELS } from './model.js';
import type { Group } from './model.js';
import { configTextHash, configTextOf, reloadChangedConfigMap } from './operations.js';
import { parsePlugin } from './plugin.js';
import type { Plugin } from './plugin.js';
import { markGroupsForRender, rollGroup } from './rollout.js';
import type { RollOptions } from './rollout.js';

export type AppsControllerEvent =
  | { type: 'reloaded'; group: string; restarted: string[] }
  | { type: 'marked'; plugin: string; groups: string[] }
  | { type: 'rolled'; group: string }
  | { type: 'leading' }
  | { type: 'standby' }
  | { type: 'error'; message: string };

export interface AppsControllerOptions {
  clients?: AgentClientFactory;
  /** Roll marked groups right away (default false: marking only; `apps roll` rolls). */
  roll?: boolean;
  rollOptions?: RollOptions;
  /** Pause before a watch that ended is opened again. Default 1 s. */
  rewatchMs?: number;
  onEvent?(event: AppsControllerEvent): void;
}

export interface AppsController {
  stop(): Promise<void>;
}

/** Keeps a watch open until stopped: when the server ends it (or it fails), it is opened again after a pause. */
function keepWatching(kube: KubeGateway, labelSelector: string, onEvent: (event: WatchEvent) => void, pauseMs: number,
  onError: (message: string) => void): { stop(): Promise<void> } {
  let stopped = false;
  let current: { stop(): void } | null = null;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      try {
        const handle = await kube.watch('v1', 'ConfigMap', { labelSelector }, onEvent);
        current = handle;
        if (stopped) handle.stop();
        await handle.done;
      } catch (error) {
        if (!stopped) onError(`watching ConfigMaps (${labelSelector}): ${asFleetError(error).message}`);
      }
      current = null;
      if (!stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, pauseMs).unref?.();
        });
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      current?.stop();
      wake?.();
      await loop;
    },
  };
}

/** Groups of the plugin's type still waiting for a roll to this plugin version. */
function waitingForRoll(groups: readonly Group[], plugin: Plugin): Group[] {
  return groups.filter((g) => g.spec.type === plugin.type && g.status.renderNeeded === true
    && g.annotations[ANNOTATIONS.renderNeeded] === plugin.hash && g.status.rollout?.pluginHash !== plugin.hash);
}

export async function startAppsController(kube: KubeGateway, options: AppsControllerOptions = {}): Promise<AppsController> {
  const clients = options.clients ?? defaultAgentClients();
  const emit = (event: AppsControllerEvent) => options.onEvent?.(event);
  const fail = (message: string) => emit({ type: 'error', message });
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((error: unknown) => fail(asFleetError(error).message));
  };

  const onGroupConfig = (event: WatchEvent) => {
    if (event.type !== 'MODIFIED' && event.type !== 'ADDED') return;
    const groupName = event.object.metadata.labels?.[LABELS.group];
    if (!groupName) return;
    enqueue(async () => {
      const snapshot = await readClusterApps(kube, event.object.metadata.namespace);
      const group = snapshot.groups.find((g) => g.name === groupName);
      const plugin = group ? snapshot.plugins.get(group.spec.type) : undefined;
      if (!group || !plugin) return;
      // A group seen for the first time runs the configuration it was created with: remember it, nothing to reload.
      if (event.type === 'ADDED' && group.status.configHash === undefined) {
        const text = configTextOf(event.object, plugin);
        if (text !== undefined) await patchGroupStatus(kube, group, { configHash: configTextHash(text) });
        return;
      }
      const report = await reloadChangedConfigMap(kube, group, plugin, event.object, clients);
      if (report) emit({ type: 'reloaded', group: group.name, restarted: report.instances.filter((i) => i.restarted).map((i) => i.instance) });
      const failed = report?.instances.filter((i) => i.error) ?? [];
      if (failed.length > 0) fail(`reloading ${group.name}: ${failed.map((i) => `${i.instance}: ${i.error ?? ''}`).join('; ')}`);
    });
  };

  const onPlugin = (event: WatchEvent) => {
    if (event.type !== 'MODIFIED' && event.type !== 'ADDED') return;
    enqueue(async () => {
      const plugin = parsePlugin(event.object);
      const marked = await markGroupsForRender(kube, plugin);
      if (marked.length > 0) emit({ type: 'marked', plugin: plugin.type, groups: marked });
      if (!options.roll) return;
      // Newly marked groups, and groups a previous controller marked but did not get to roll.
      for (const group of waitingForRoll((await readClusterApps(kube)).groups, plugin)) {
        await rollGroup(kube, group, plugin, options.rollOptions);
        emit({ type: 'rolled', group: `${group.namespace}/${group.name}` });
      }
    });
  };

  const pauseMs = options.rewatchMs ?? 1_000;
  const watches = [
    keepWatching(kube, LABELS.group, onGroupConfig, pauseMs, fail),
    keepWatching(kube, LABELS.plugin, onPlugin, pauseMs, fail),
  ];
  return {
    async stop() {
      await Promise.all(watches.map((w) => w.stop()));
      await queue;
    },
  };
}

export interface AppsControllerSingletonOptions extends AppsControllerOptions {
  /** Distinguishes this process in the lease; default `user@host:pid`. */
  identity?: string;
  leaseMs?: number;
  renewMs?: number;
}

export interface AppsControllerSingleton {
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function defaultControllerIdentity(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container): the host and pid still tell processes apart.
  }
  return `${user}@${hostname()}:${process.pid}`;
}

/**
 * The controller as a singleton across processes: it runs while this process holds the cluster's controller lease
 * (see controller-lease.ts), stops when the lease is lost, and starts again when it is won back.
 */
export function startAppsControllerSingleton(kube: KubeGateway, options: AppsControllerSingletonOptions = {}): AppsControllerSingleton {
  let controller: AppsController | null = null;
  const lease = contendForControllerLease(kube, {
    identity: options.identity ?? defaultControllerIdentity(),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.renewMs === undefined ? {} : { renewMs: options.renewMs }),
    onAcquired: async () => {
      options.onEvent?.({ type: 'leading' });
      controller = await startAppsController(kube, options);
    },
    onLost: async () => {
      const running = controller;
      controller = null;
      await running?.stop();
      options.onEvent?.({ type: 'standby' });
    },
    onError: (error) => options.onEvent?.({ type: 'error', message: `apps controller lease: ${asFleetError(error).message}` }),
  });
  return {
    isLeader: () => lease.isLeader(),
    stop: () => lease.stop(),
  };
}
