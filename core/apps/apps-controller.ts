/**
 * The change flows of seed 003 §3 as one watcher loop (for the daemon): a group's ConfigMap edited in the cluster
 * is handed to its agents (ReloadConfig, restart when needed); a changed plugin marks its groups for re-rendering
 * and, with `roll`, rolls them. Work runs one change at a time, in the order the changes arrived.
 */
import { asFleetError } from '../errors.js';
import type { KubeGateway, WatchEvent, WatchHandle } from '../kube/types.js';
import type { AgentClientFactory } from './agents.js';
import { defaultAgentClients } from './agents.js';
import { findNamed, readClusterApps } from './catalog.js';
import { LABELS } from './model.js';
import { reloadChangedConfigMap } from './operations.js';
import { parsePlugin } from './plugin.js';
import { markGroupsForRender, rollGroup } from './rollout.js';

export type AppsControllerEvent =
  | { type: 'reloaded'; group: string; restarted: string[] }
  | { type: 'marked'; plugin: string; groups: string[] }
  | { type: 'rolled'; group: string }
  | { type: 'error'; message: string };

export interface AppsControllerOptions {
  clients?: AgentClientFactory;
  /** Roll marked groups right away (default false: marking only; `apps roll` rolls). */
  roll?: boolean;
  onEvent?(event: AppsControllerEvent): void;
}

export async function startAppsController(kube: KubeGateway, options: AppsControllerOptions = {}): Promise<{ stop(): Promise<void> }> {
  const clients = options.clients ?? defaultAgentClients();
  const emit = (event: AppsControllerEvent) => options.onEvent?.(event);
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((error: unknown) => emit({ type: 'error', message: asFleetError(error).message }));
  };

  const onGroupConfig = (event: WatchEvent) => {
    if (event.type !== 'MODIFIED') return;
    const groupName = event.object.metadata.labels?.[LABELS.group];
    if (!groupName) return;
    enqueue(async () => {
      const snapshot = await readClusterApps(kube, event.object.metadata.namespace);
      const group = findNamed(snapshot.groups, groupName, 'group');
      const plugin = snapshot.plugins.get(group.spec.type);
      if (!plugin) return;
      const report = await reloadChangedConfigMap(kube, group, plugin, event.object, clients);
      if (report) emit({ type: 'reloaded', group: group.name, restarted: report.instances.filter((i) => i.restarted).map((i) => i.instance) });
    });
  };

  const onPlugin = (event: WatchEvent) => {
    if (event.type !== 'MODIFIED' && event.type !== 'ADDED') return;
    enqueue(async () => {
      const plugin = parsePlugin(event.object);
      const marked = await markGroupsForRender(kube, plugin);
      if (marked.length > 0) emit({ type: 'marked', plugin: plugin.type, groups: marked });
      if (!options.roll) return;
      const snapshot = await readClusterApps(kube);
      for (const ref of marked) {
        await rollGroup(kube, findNamed(snapshot.groups, ref, 'group'), plugin);
        emit({ type: 'rolled', group: ref });
      }
    });
  };

  const handles: WatchHandle[] = [];
  handles.push(await kube.watch('v1', 'ConfigMap', { labelSelector: LABELS.group }, onGroupConfig));
  handles.push(await kube.watch('v1', 'ConfigMap', { labelSelector: LABELS.plugin }, onPlugin));
  return {
    async stop() {
      for (const handle of handles) handle.stop();
      await Promise.all(handles.map((h) => h.done.catch(() => undefined)));
      await queue;
    },
  };
}
