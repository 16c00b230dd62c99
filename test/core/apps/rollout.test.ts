/**
 * A changed plugin marks its groups and rolls them honouring maxSurge, maxUnavailable and partition the way
 * Kubernetes defines them: never more than maxUnavailable instances below the desired count, never more than
 * maxSurge above it, and with surge a new instance is up before an old one goes down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { markGroupsForRender, parsePlugin, planRollout, readClusterApps, rollGroup } from '../../../core/apps/index.js';
import type { Plugin } from '../../../core/apps/index.js';
import type { KubeObject } from '../../../core/kube/index.js';
import { REDIS_PLUGIN_DATA, redisPluginConfigMap } from '../../../src/sandbox/apps/redis-plugin.js';
import { openAppsWorld } from './support.js';
import type { AppsWorld } from './support.js';

let world: AppsWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const instances = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `g-${i}`, role: i === 0 ? 'master' : 'replica' }));
const groupRef = { apiVersion: 'middleware.io/v1alpha1', kind: 'Group', namespace: 'middleware', name: 'cache-redis' };

describe('planning a roll', () => {
  it('replaces replicas before the master, maxSurge + maxUnavailable at a time, and holds ordinals below the partition', () => {
    expect(planRollout(instances(4), { maxSurge: 0, maxUnavailable: 1, partition: 0 })).toEqual({ batches: [['g-3'], ['g-2'], ['g-1'], ['g-0']], held: [], surge: 0, unavailable: 1 });
    expect(planRollout(instances(4), { maxSurge: 1, maxUnavailable: 1, partition: 1 })).toEqual({ batches: [['g-3', 'g-2'], ['g-1']], held: ['g-0'], surge: 1, unavailable: 1 });
    expect(planRollout(instances(4), { maxSurge: '25%', maxUnavailable: '50%', partition: 0 })).toMatchObject({ batches: [['g-3', 'g-2', 'g-1'], ['g-0']], surge: 1, unavailable: 2 });
    expect(planRollout(instances(3), { maxSurge: 1, maxUnavailable: 0, partition: 0 })).toMatchObject({ batches: [['g-2'], ['g-1'], ['g-0']], surge: 1, unavailable: 0 });
  });
});

const valkey = () => redisPluginConfigMap('middleware', { ...REDIS_PLUGIN_DATA, 'values.yaml': (REDIS_PLUGIN_DATA['values.yaml'] ?? '').replace('image: redis', 'image: valkey') });
const newImage = (d: KubeObject) => JSON.stringify(d['spec']).includes('valkey:7.2.4');

const podReady = (pod: KubeObject): boolean => {
  const status = pod['status'] as { phase?: string; conditions?: { type: string; status: string }[] } | undefined;
  return status?.phase === 'Running' && status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
};

/** Watches the group's pods through the cluster's store while `run` rolls: the fewest ready and the most pods seen. */
async function observeRoll(w: AppsWorld, run: () => Promise<unknown>): Promise<{ minReady: number; maxPods: number; standInReadyFirst: boolean }> {
  const pods = () => w.cluster.objects.list('v1', 'Pod', 'middleware').filter((p) => p.metadata.labels?.['middleware.io/group'] === 'cache-redis');
  let minReady = Infinity;
  let maxPods = 0;
  let standInReadyFirst = true;
  const stop = w.cluster.store.subscribe((event) => {
    const now = pods();
    minReady = Math.min(minReady, now.filter(podReady).length);
    maxPods = Math.max(maxPods, now.length);
    // An instance's old pod is deleted only while the stand-in covering it is ready.
    if (event.type === 'DELETED' && event.object.kind === 'Pod') {
      const instance = event.object.metadata.labels?.['middleware.io/instance'] ?? '';
      const standIn = now.find((p) => p.metadata.labels?.['middleware.io/instance'] === `${instance}-surge`);
      if (!instance.endsWith('-surge') && (!standIn || !podReady(standIn))) standInReadyFirst = false;
    }
  });
  try {
    await run();
  } finally {
    stop();
  }
  return { minReady, maxPods, standInReadyFirst };
}

async function changedPlugin(w: AppsWorld): Promise<Plugin> {
  const changed = valkey();
  await w.kube.apply(changed);
  return parsePlugin(changed);
}

describe('a plugin change in the sandbox', () => {
  it('with maxSurge 1 and maxUnavailable 0, brings each new instance up before an old one goes down', async () => {
    world = await openAppsWorld();
    const w = world;
    await w.kube.patch(groupRef, { spec: { instances: 3, upgradeStrategy: { maxSurge: 1, maxUnavailable: 0, partition: 0 } } }, 'merge');
    await rollGroup(w.kube, await w.group(), (await readClusterApps(w.kube)).plugins.get('redis')!, { pollMs: 50 });
    const plugin = await changedPlugin(w);

    let report: Awaited<ReturnType<typeof rollGroup>> | undefined;
    const seen = await observeRoll(w, async () => {
      report = await rollGroup(w.kube, await w.group(), plugin, { pollMs: 50 });
    });
    expect(report?.batches).toEqual([['cache-redis-2'], ['cache-redis-1'], ['cache-redis-0']]);
    expect(report?.surged).toEqual(['cache-redis-2', 'cache-redis-1', 'cache-redis-0']);
    expect(seen.minReady).toBeGreaterThanOrEqual(3);
    expect(seen.maxPods).toBe(4);
    expect(seen.standInReadyFirst).toBe(true);
    const deployments = w.cluster.objects.list('apps/v1', 'Deployment', 'middleware');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['cache-redis-0', 'cache-redis-1', 'cache-redis-2']);
    expect(deployments.every(newImage)).toBe(true);
  }, 60_000);

  it('with maxSurge 0 and maxUnavailable 1, replaces one instance at a time and never drops two', async () => {
    world = await openAppsWorld();
    const w = world;
    await w.kube.patch(groupRef, { spec: { instances: 3, upgradeStrategy: { maxSurge: 0, maxUnavailable: 1, partition: 0 } } }, 'merge');
    await rollGroup(w.kube, await w.group(), (await readClusterApps(w.kube)).plugins.get('redis')!, { pollMs: 50 });
    const plugin = await changedPlugin(w);
    const seen = await observeRoll(w, async () => rollGroup(w.kube, await w.group(), plugin, { pollMs: 50 }));
    expect(seen.minReady).toBe(2);
    expect(seen.maxPods).toBe(3);
  }, 60_000);

  it('marks the group, then rolls two instances at a time and leaves the partitioned master alone', async () => {
    world = await openAppsWorld();
    const w = world;
    await w.kube.patch(groupRef, { spec: { instances: 4, upgradeStrategy: { maxSurge: 0, maxUnavailable: 1, partition: 0 } } }, 'merge');
    const oldPlugin = (await readClusterApps(w.kube)).plugins.get('redis')!;
    await rollGroup(w.kube, await w.group(), oldPlugin, { pollMs: 50 });

    const plugin = await changedPlugin(w);
    expect(await markGroupsForRender(w.kube, plugin)).toEqual(['middleware/cache-redis']);
    expect((await w.group()).status.renderNeeded).toBe(true);
    expect(await markGroupsForRender(w.kube, plugin)).toEqual([]);

    await w.kube.patch(groupRef, { spec: { upgradeStrategy: { maxSurge: 1, maxUnavailable: 1, partition: 1 } } }, 'merge');
    const masterPod = (await w.kube.list('v1', 'Pod', { namespace: 'middleware', labelSelector: 'middleware.io/instance=cache-redis-0' })).items[0];
    let report: Awaited<ReturnType<typeof rollGroup>> | undefined;
    const seen = await observeRoll(w, async () => {
      report = await rollGroup(w.kube, await w.group(), plugin, { pollMs: 50 });
    });
    expect(report?.batches).toEqual([['cache-redis-3', 'cache-redis-2'], ['cache-redis-1']]);
    expect(report?.surged).toEqual(['cache-redis-3', 'cache-redis-1']);
    expect(report?.held).toEqual(['cache-redis-0']);
    expect(seen.minReady).toBeGreaterThanOrEqual(3);
    expect(seen.maxPods).toBeLessThanOrEqual(5);
    const deployments = w.cluster.objects.list('apps/v1', 'Deployment', 'middleware');
    expect(deployments.filter(newImage).map((d) => d.metadata.name).sort()).toEqual(['cache-redis-1', 'cache-redis-2', 'cache-redis-3']);
    const masterAfter = (await w.kube.list('v1', 'Pod', { namespace: 'middleware', labelSelector: 'middleware.io/instance=cache-redis-0' })).items[0];
    expect(masterAfter?.metadata.uid).toBe(masterPod?.metadata.uid);
    const status = (await w.group()).status;
    expect(status.renderNeeded).toBe(true);
    expect(status.rollout).toMatchObject({ pluginHash: plugin.hash, updated: ['cache-redis-3', 'cache-redis-2', 'cache-redis-1'], held: ['cache-redis-0'] });

    await w.kube.patch(groupRef, { spec: { upgradeStrategy: { partition: 0 } } }, 'merge');
    const last = await rollGroup(w.kube, await w.group(), plugin, { pollMs: 50 });
    expect(last.held).toEqual([]);
    const done = await w.group();
    expect(done.status).toMatchObject({ renderNeeded: false, renderedPluginHash: plugin.hash });
    expect(done.annotations['middleware.io/render-needed']).toBeUndefined();
  }, 60_000);
});
