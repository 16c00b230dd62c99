/** A changed plugin marks its groups and rolls them in batches, honouring maxSurge, maxUnavailable and partition. */
import { afterEach, describe, expect, it } from 'vitest';
import { markGroupsForRender, parsePlugin, planRollout, readClusterApps, rollGroup } from '../../../core/apps/index.js';
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

describe('planning a roll', () => {
  it('replaces replicas before the master, maxSurge + maxUnavailable at a time, and holds ordinals below the partition', () => {
    expect(planRollout(instances(4), { maxSurge: 0, maxUnavailable: 1, partition: 0 })).toEqual({ batches: [['g-3'], ['g-2'], ['g-1'], ['g-0']], held: [] });
    expect(planRollout(instances(4), { maxSurge: 1, maxUnavailable: 1, partition: 1 })).toEqual({ batches: [['g-3', 'g-2'], ['g-1']], held: ['g-0'] });
    expect(planRollout(instances(4), { maxSurge: '25%', maxUnavailable: '50%', partition: 0 }).batches).toEqual([['g-3', 'g-2', 'g-1'], ['g-0']]);
  });
});

describe('a plugin change in the sandbox', () => {
  it('marks the group, then rolls two instances at a time and leaves the partitioned master alone', async () => {
    world = await openAppsWorld();
    const w = world;
    const groupRef = { apiVersion: 'middleware.io/v1alpha1', kind: 'Group', namespace: 'middleware', name: 'cache-redis' };
    await w.kube.patch(groupRef, { spec: { instances: 4, upgradeStrategy: { maxSurge: 0, maxUnavailable: 1, partition: 0 } } }, 'merge');
    const oldPlugin = (await readClusterApps(w.kube)).plugins.get('redis')!;
    await rollGroup(w.kube, await w.group(), oldPlugin, { pollMs: 50 });

    const changed = redisPluginConfigMap('middleware', { ...REDIS_PLUGIN_DATA, 'values.yaml': (REDIS_PLUGIN_DATA['values.yaml'] ?? '').replace('image: redis', 'image: valkey') });
    await w.kube.apply(changed);
    const plugin = parsePlugin(changed);
    expect(await markGroupsForRender(w.kube, plugin)).toEqual(['middleware/cache-redis']);
    expect((await w.group()).status.renderNeeded).toBe(true);
    expect(await markGroupsForRender(w.kube, plugin)).toEqual([]);

    await w.kube.patch(groupRef, { spec: { upgradeStrategy: { maxSurge: 1, maxUnavailable: 1, partition: 1 } } }, 'merge');
    const masterPod = (await w.kube.list('v1', 'Pod', { namespace: 'middleware', labelSelector: 'middleware.io/instance=cache-redis-0' })).items[0];
    const image = (d: KubeObject) => JSON.stringify(d['spec']).includes('valkey:7.2.4');
    const ready = (d: KubeObject) => (d['status'] as { readyReplicas?: number } | undefined)?.readyReplicas === 1;
    const inFlightAtBatchStart: string[][] = [];
    const report = await rollGroup(w.kube, await w.group(), plugin, {
      pollMs: 50,
      onBatch: () => {
        const deployments = w.cluster.objects.list('apps/v1', 'Deployment', 'middleware');
        inFlightAtBatchStart.push(deployments.filter((d) => image(d) && !ready(d)).map((d) => d.metadata.name ?? ''));
      },
    });
    expect(report.batches).toEqual([['cache-redis-3', 'cache-redis-2'], ['cache-redis-1']]);
    expect(report.held).toEqual(['cache-redis-0']);
    // Each batch started only when the previous one was ready: never more than two instances replaced at once.
    expect(inFlightAtBatchStart).toEqual([[], []]);
    const deployments = w.cluster.objects.list('apps/v1', 'Deployment', 'middleware');
    expect(deployments.filter(image).map((d) => d.metadata.name).sort()).toEqual(['cache-redis-1', 'cache-redis-2', 'cache-redis-3']);
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
  });
});
