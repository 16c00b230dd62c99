/** The sandbox app in a sandbox cluster: creation/deletion order, reload (with restart) and failover through agents. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ANNOTATIONS, applyApp, defaultAgentClients, deleteApp, failoverGroup, groupAgents, pluginFor, probeMembers,
  readClusterApps, reloadGroup,
} from '../../../core/apps/index.js';
import type { KubeObject } from '../../../core/kube/index.js';
import { eventually, openAppsWorld } from './support.js';
import type { AppsWorld } from './support.js';

let world: AppsWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const clients = defaultAgentClients(10_000);

async function members(w: AppsWorld) {
  const group = await w.group();
  return probeMembers(await groupAgents(w.kube, group), group.status.members ?? [], clients);
}

describe('the sandbox middleware app', () => {
  it('runs a master and a replica whose agents answer at the addresses in the Group status', async () => {
    world = await openAppsWorld();
    const snapshot = await readClusterApps(world.kube);
    expect(snapshot.apps.map((a) => a.name)).toEqual(['cache']);
    expect(snapshot.components.map((c) => c.name)).toEqual(['cache-redis']);
    expect(snapshot.groups.map((g) => g.name)).toEqual(['cache-redis']);
    expect(snapshot.plugins.get('redis')?.version).toBe('1.0.0');
    const view = await members(world);
    expect(view.map((m) => [m.instance, m.role, m.health, m.version])).toEqual([
      ['cache-redis-0', 'master', 'healthy', '7.2.4'], ['cache-redis-1', 'replica', 'healthy', '7.2.4'],
    ]);
  });

  it('reloads a live key without a restart, and restarts the pods for a start-up key', async () => {
    world = await openAppsWorld();
    const w = world;
    const ref = { apiVersion: 'middleware.io/v1alpha1', kind: 'Group', namespace: 'middleware', name: 'cache-redis' };
    await w.kube.patch(ref, { spec: { config: { maxmemory: '512mb', 'maxmemory-policy': 'allkeys-lru' } } }, 'merge');
    let group = await w.group();
    const plugin = pluginFor(await readClusterApps(w.kube), group);
    const live = await reloadGroup(w.kube, group, plugin, clients);
    expect(live.configMapUpdated).toBe(true);
    expect(live.instances.map((i) => [i.instance, i.changedKeys, i.requiresRestart, i.restarted])).toEqual([
      ['cache-redis-0', ['maxmemory'], false, false], ['cache-redis-1', ['maxmemory'], false, false],
    ]);
    const configMap = await w.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'middleware', name: 'cache-redis-config' });
    expect((configMap['data'] as Record<string, string>)['redis.conf']).toContain('maxmemory 512mb');

    const podsBefore = await w.kube.list('v1', 'Pod', { namespace: 'middleware', labelSelector: 'middleware.io/instance=cache-redis-1' });
    await w.kube.patch(ref, { spec: { config: { port: '6380' } } }, 'merge');
    group = await w.group();
    const restart = await reloadGroup(w.kube, group, plugin, clients);
    expect(restart.instances.every((i) => i.requiresRestart && i.restarted && i.restartKeys.includes('port'))).toBe(true);
    const deployment = await w.kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'middleware', name: 'cache-redis-1' });
    const template = (deployment['spec'] as { template: KubeObject }).template;
    expect(template.metadata.annotations?.[ANNOTATIONS.restartedAt]).toMatch(/^\d{4}-/);
    // The workload replaces the pod; the agent then runs the new configuration with nothing pending.
    await eventually(() => w.kube.list('v1', 'Pod', { namespace: 'middleware', labelSelector: 'middleware.io/instance=cache-redis-1' }),
      (pods) => pods.items.length === 1 && pods.items[0]?.metadata.uid !== podsBefore.items[0]?.metadata.uid);
    await eventually(() => members(w), (view) => view.every((m) => !m.restartPending));
  });

  it('fails over to the replica and records the new roles in the Group status', async () => {
    world = await openAppsWorld();
    const report = await failoverGroup(world.kube, await world.group(), clients);
    expect(report).toMatchObject({ oldMaster: 'cache-redis-0', newMaster: 'cache-redis-1' });
    expect((await world.group()).status.members?.map((m) => [m.instance, m.role])).toEqual([['cache-redis-0', 'replica'], ['cache-redis-1', 'master']]);
    expect((await members(world)).map((m) => m.role)).toEqual(['replica', 'master']);
  });

  it('fails over through a replica when the master\'s agent is down, and refuses an unknown target', async () => {
    world = await openAppsWorld();
    await world.agents.agent('cache-redis', 'cache-redis-0')?.stop();
    await expect(failoverGroup(world.kube, await world.group(), clients, { target: 'cache-redis-7' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const report = await failoverGroup(world.kube, await world.group(), clients);
    expect(report.newMaster).toBe('cache-redis-1');
    const view = await members(world);
    expect(view[0]).toMatchObject({ instance: 'cache-redis-0', health: 'unreachable', role: 'replica' });
  });

  it('deletes pods first, then the rendered resources, then Group, Component and App', async () => {
    world = await openAppsWorld();
    const deleted: string[] = [];
    const stop = world.cluster.store.subscribe((event) => {
      if (event.type === 'DELETED') deleted.push(event.object.kind);
    });
    const steps = await deleteApp(world.kube, 'middleware', 'cache');
    stop();
    const order = ['Pod', 'Deployment', 'Service', 'PersistentVolumeClaim', 'ConfigMap', 'Group', 'Component', 'App'];
    const rank = (kind: string) => order.indexOf(kind);
    expect(steps.map((s) => s.kind).filter((k, i, all) => all.indexOf(k) === i)).toEqual(
      ['Pod', 'Deployment', 'Service', 'ConfigMap', 'Group', 'Component', 'App'].filter((k) => steps.some((s) => s.kind === k)));
    const observed = deleted.filter((k) => rank(k) >= 0);
    expect(observed.map(rank)).toEqual([...observed.map(rank)].sort((a, b) => a - b));
    expect((await readClusterApps(world.kube)).apps).toEqual([]);
  });

  it('creates App, Component and Group before the rendered resources, and pods last', async () => {
    world = await openAppsWorld();
    const snapshot = await readClusterApps(world.kube);
    await deleteApp(world.kube, 'middleware', 'cache');
    const added: string[] = [];
    const stop = world.cluster.store.subscribe((event) => {
      if (event.type === 'ADDED') added.push(event.object.kind);
    });
    const steps = await applyApp(world.kube, snapshot.apps[0]!, snapshot.plugins);
    await eventually(() => added.filter((k) => k === 'Pod').length, (n) => n === 2);
    stop();
    expect(steps.map((s) => s.kind)).toEqual(['App', 'Component', 'Group', 'ConfigMap', 'Service', 'Deployment', 'Deployment']);
    expect(added.filter((k) => k !== 'Pod')).toEqual(steps.map((s) => s.kind));
    expect(added.indexOf('Pod')).toBeGreaterThan(added.indexOf('Deployment'));
  });
});
