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

  it('reload keeps a hand-edited ConfigMap, applies a changed spec, and refuses when both changed', async () => {
    world = await openAppsWorld();
    const w = world;
    const configMapRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'middleware', name: 'cache-redis-config' };
    const groupRef = { apiVersion: 'middleware.io/v1alpha1', kind: 'Group', namespace: 'middleware', name: 'cache-redis' };
    const text = async () => ((await w.kube.get(configMapRef))['data'] as Record<string, string>)['redis.conf'];
    const plugin = pluginFor(await readClusterApps(w.kube), await w.group());
    const edited = 'appendonly yes\nmaxmemory 700mb\nmaxmemory-policy allkeys-lru\n';
    // `kubectl edit configmap`: the spec did not change, so reload hands the edit to the agents and keeps it.
    await w.kube.patch(configMapRef, { data: { 'redis.conf': edited } }, 'merge');
    const kept = await reloadGroup(w.kube, await w.group(), plugin, clients);
    expect(kept).toMatchObject({ configMapUpdated: false, source: 'live' });
    expect(kept.instances.map((i) => i.changedKeys)).toEqual([['maxmemory'], ['maxmemory']]);
    expect(await text()).toBe(edited);
    expect(w.agents.agent('cache-redis', 'cache-redis-0')?.state.config['maxmemory']).toBe('700mb');

    // Now the Group spec changes too: applying the render would undo the edit, so reload refuses and changes nothing.
    await w.kube.patch(groupRef, { spec: { config: { maxmemory: '512mb', 'maxmemory-policy': 'allkeys-lru' } } }, 'merge');
    const hashBefore = (await w.group()).status.configHash;
    const refused = await reloadGroup(w.kube, await w.group(), plugin, clients).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect((refused as Error).message).toContain('edited by hand');
    expect((refused as { hint: string }).hint).toContain('--overwrite');
    expect(await text()).toBe(edited);
    expect((await w.group()).status.configHash).toBe(hashBefore);
    expect(w.agents.agent('cache-redis', 'cache-redis-0')?.state.config['maxmemory']).toBe('700mb');

    // --overwrite chooses the spec; from then on a spec change alone re-renders.
    const overwritten = await reloadGroup(w.kube, await w.group(), plugin, clients, { overwrite: true });
    expect(overwritten).toMatchObject({ configMapUpdated: true, source: 'rendered' });
    expect(await text()).toContain('maxmemory 512mb');
    await w.kube.patch(groupRef, { spec: { config: { maxmemory: '640mb', 'maxmemory-policy': 'allkeys-lru' } } }, 'merge');
    expect(await reloadGroup(w.kube, await w.group(), plugin, clients)).toMatchObject({ configMapUpdated: true, source: 'rendered' });
    expect(await text()).toContain('maxmemory 640mb');
  });

  it('takes health from HealthCheck, and explains an agent reached at a pod IP the jumpbox cannot route', async () => {
    world = await openAppsWorld();
    const w = world;
    w.agents.agent('cache-redis', 'cache-redis-1')!.state.healthy = false;
    const view = await members(w);
    expect(view.map((m) => [m.instance, m.health])).toEqual([['cache-redis-0', 'healthy'], ['cache-redis-1', 'unhealthy']]);
    expect(view[1]?.healthMessage).toContain('does not answer PING');

    // Without recorded addresses fleetdeck dials the pods' IPs on the seed's ports, as inside the cluster (the
    // sandbox's agents are stopped first: they would record loopback addresses again).
    await w.agents.stop();
    const group = await w.group();
    await w.kube.patch({ apiVersion: 'middleware.io/v1alpha1', kind: 'Group', namespace: 'middleware', name: 'cache-redis' },
      { status: { members: (group.status.members ?? []).map(({ agent: _agent, ...rest }) => rest) } }, 'merge');
    // (once both pods run and have their IPs)
    const agents = await eventually(async () => groupAgents(w.kube, await w.group()).catch(() => []), (a) => a.length === 2);
    expect(agents.map((a) => a.via)).toEqual(['pod-ip', 'pod-ip']);
    expect(agents[0]?.endpoints.controlAddress).toMatch(/^10\.244\.\d+\.\d+:50052$/);
    const [probe] = await probeMembers(agents, [], defaultAgentClients(300));
    expect(probe?.health).toBe('unreachable');
    expect(probe?.error).toContain('is the pod IP of cache-redis-0, which only the cluster network routes');
    const reload = await reloadGroup(w.kube, await w.group(), pluginFor(await readClusterApps(w.kube), await w.group()), defaultAgentClients(300));
    expect(reload.instances.every((i) => i.error?.includes('only the cluster network routes'))).toBe(true);
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
    expect(steps.map((s) => s.kind).filter((k, i, all) => all.indexOf(k) === i)).toEqual(order.filter((k) => steps.some((s) => s.kind === k)));
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
    expect(steps.map((s) => s.kind)).toEqual(['App', 'Component', 'Group', 'ConfigMap', 'PersistentVolumeClaim', 'PersistentVolumeClaim', 'Service', 'Deployment', 'Deployment']);
    // Pods (the workload controller) and PersistentVolumes (the provisioner) are the cluster's own doing.
    expect(added.filter((k) => k !== 'Pod' && k !== 'PersistentVolume')).toEqual(steps.map((s) => s.kind));
    expect(added.indexOf('Pod')).toBeGreaterThan(added.indexOf('Deployment'));
    // The sandbox starts the re-created group's agents and records where they answer.
    const view = await eventually(async () => members(world!).catch(() => []), (v) => v.length === 2 && v.every((m) => m.health === 'healthy'));
    expect(view.map((m) => m.role)).toEqual(['master', 'replica']);
  });
});
