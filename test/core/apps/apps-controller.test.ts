/** The watcher loop: an edited group ConfigMap reaches the agents; a changed plugin marks (and rolls) its groups. */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAgentClients, groupAgents, probeMembers, startAppsController } from '../../../core/apps/index.js';
import type { AppsControllerEvent } from '../../../core/apps/index.js';
import { REDIS_PLUGIN_DATA, redisPluginConfigMap } from '../../../src/sandbox/apps/redis-plugin.js';
import { eventually, openAppsWorld } from './support.js';
import type { AppsWorld } from './support.js';

let world: AppsWorld | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await world?.close();
  world = undefined;
});

describe('the apps controller', () => {
  it('reloads the agents when a group ConfigMap is edited, and rolls groups when their plugin changes', async () => {
    world = await openAppsWorld();
    const w = world;
    const events: AppsControllerEvent[] = [];
    const controller = await startAppsController(w.kube, { roll: true, onEvent: (e) => events.push(e) });
    stops.push(() => controller.stop());
    const clients = defaultAgentClients(10_000);
    const before = await probeMembers(await groupAgents(w.kube, await w.group()), [], clients);

    await w.kube.patch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'middleware', name: 'cache-redis-config' },
      { data: { 'redis.conf': 'appendonly yes\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\n' } }, 'merge');
    await eventually(() => events, (e) => e.some((x) => x.type === 'reloaded'));
    const after = await probeMembers(await groupAgents(w.kube, await w.group()), [], clients);
    expect(after.map((m) => m.configHash)).not.toEqual(before.map((m) => m.configHash));

    await w.kube.apply(redisPluginConfigMap('middleware', { ...REDIS_PLUGIN_DATA, 'values.yaml': (REDIS_PLUGIN_DATA['values.yaml'] ?? '').replace('image: redis', 'image: valkey') }));
    await eventually(() => events, (e) => e.some((x) => x.type === 'rolled'), 30_000);
    expect(events.find((e) => e.type === 'marked')).toEqual({ type: 'marked', plugin: 'redis', groups: ['middleware/cache-redis'] });
    const deployment = await w.kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'middleware', name: 'cache-redis-0' });
    expect(JSON.stringify(deployment['spec'])).toContain('valkey:7.2.4');
    expect((await w.group()).status.renderNeeded).toBe(false);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });
});
