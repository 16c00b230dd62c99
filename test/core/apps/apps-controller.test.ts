/**
 * The apps controller: an edited group ConfigMap reaches the agents (a restart when they ask for one), a changed
 * plugin marks and rolls its groups; the daemon runs it, and only one process of many leads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CONTROLLER_LEASE, defaultAgentClients, groupAgents, probeMembers, startAppsController, startAppsControllerSingleton,
} from '../../../core/apps/index.js';
import type { AppsControllerEvent, AppsControllerSingleton } from '../../../core/apps/index.js';
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import type { Fleet } from '../../../core/fleet.js';
import { startDaemon } from '../../../src/daemon/daemon.js';
import { REDIS_PLUGIN_DATA, redisPluginConfigMap } from '../../../src/sandbox/apps/redis-plugin.js';
import { kubeconfigFor } from '../../../src/sandbox/kube-api/index.js';
import { openTestDatabase } from '../../support/databases.js';
import { TEST_ACTOR } from '../../support/engine.js';
import { eventually, openAppsWorld } from './support.js';
import type { AppsWorld } from './support.js';

let world: AppsWorld | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await world?.close();
  world = undefined;
});

/** The real kubectl against the world's cluster, as an operator would edit a ConfigMap. */
async function kubectl(w: AppsWorld, ...args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-apps-kubectl-'));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor([{ context: 'k3d-devops', url: w.cluster.url }]));
  const result = await execa('kubectl', args, { reject: false, timeout: 60_000, env: { KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir }, extendEnv: false });
  if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const patchConfig = (text: string) => JSON.stringify({ data: { 'redis.conf': text } });

describe('the apps controller', () => {
  it('runs in the daemon: a kubectl edit of a group ConfigMap reloads the sandbox agents, and restarts pods when they ask', async () => {
    world = await openAppsWorld();
    const w = world;
    const test = await openTestDatabase('pglite');
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-apps-daemon-'));
    const fleet = { sandbox: false, kube: async () => w.kube, close: async () => undefined } as unknown as Fleet;
    const engine = await createEngine(resolveConfig({ dataDir }, { HOME: dataDir }), { db: test.db, actor: TEST_ACTOR, fleet: async () => fleet });
    const lines: string[] = [];
    const daemon = await startDaemon({ engine, management: null, dataplane: { secrets: null }, apps: { leaseMs: 600 }, log: (l) => lines.push(l) });
    stops.push(async () => {
      await daemon.stop();
      await engine.close();
      await test.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    await eventually(() => lines, (l) => l.some((x) => x.includes('apps controller: leading')));
    const master = w.agents.agent('cache-redis', 'cache-redis-0')!;
    const replica = w.agents.agent('cache-redis', 'cache-redis-1')!;
    expect(master.state.config['maxmemory']).toBe('256mb');

    await kubectl(w, '-n', 'middleware', 'patch', 'configmap', 'cache-redis-config', '--type', 'merge',
      '-p', patchConfig('appendonly yes\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\n'));
    await eventually(() => [master.state.config['maxmemory'], replica.state.config['maxmemory']], (v) => v.every((x) => x === '1gb'));
    await eventually(() => lines, (l) => l.some((x) => /apps controller: reloaded cache-redis$/.test(x)));
    expect(master.state.restartPending).toBe(false);

    // A start-up key: the agents say a restart is needed, and the controller replaces the pods.
    const podUid = async (instance: string) => (await w.kube.list('v1', 'Pod', { namespace: 'middleware', labelSelector: `middleware.io/instance=${instance}` })).items[0]?.metadata.uid;
    const before = await podUid('cache-redis-1');
    await kubectl(w, '-n', 'middleware', 'patch', 'configmap', 'cache-redis-config', '--type', 'merge',
      '-p', patchConfig('appendonly yes\nmaxmemory 1gb\nmaxmemory-policy allkeys-lru\nport 6380\n'));
    await eventually(() => lines, (l) => l.some((x) => x.includes('restarted cache-redis-0, cache-redis-1')));
    await eventually(() => podUid('cache-redis-1'), (uid) => uid !== undefined && uid !== before);
    await eventually(() => replica.state, (s) => s.config['port'] === '6380' && !s.restartPending);
    expect((await w.group()).status.configHash).toBeDefined();
  }, 60_000);

  it('reloads the agents when a group ConfigMap is edited, and rolls groups when their plugin changes', async () => {
    world = await openAppsWorld();
    const w = world;
    const events: AppsControllerEvent[] = [];
    const controller = await startAppsController(w.kube, { roll: true, rollOptions: { pollMs: 50 }, onEvent: (e) => events.push(e) });
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
    // The roll re-rendered the ConfigMap over the hand edit only because nothing in its render changed: the edit stays.
    const configMap = await w.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'middleware', name: 'cache-redis-config' });
    expect((configMap['data'] as Record<string, string>)['redis.conf']).toContain('maxmemory 1gb');
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  }, 60_000);

  it('is a singleton: of two processes one leads; when it stops, the other takes over and reloads', async () => {
    world = await openAppsWorld();
    const w = world;
    const seen: Record<string, AppsControllerEvent[]> = { a: [], b: [] };
    const start = (name: 'a' | 'b'): AppsControllerSingleton => startAppsControllerSingleton(w.kube, {
      identity: `test-${name}`, leaseMs: 3_000, onEvent: (e) => seen[name]!.push(e),
    });
    const a = start('a');
    stops.push(() => a.stop());
    await eventually(() => a.isLeader(), (x) => x);
    const b = start('b');
    stops.push(() => b.stop());
    // b looks for longer than a renew period: a keeps renewing, so b stands by.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    const lease = await w.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', ...CONTROLLER_LEASE });
    expect((lease['data'] as Record<string, string>)['holder']).toBe('test-a');

    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'middleware', name: 'cache-redis-config' };
    await w.kube.patch(configMap, { data: { 'redis.conf': 'appendonly yes\nmaxmemory 300mb\nmaxmemory-policy allkeys-lru\n' } }, 'merge');
    await eventually(() => seen['a']!, (e) => e.some((x) => x.type === 'reloaded'));
    expect(seen['b']!.filter((e) => e.type === 'reloaded')).toEqual([]);

    await a.stop();
    // a frees the lease as it stops: b takes over at its next look, without waiting for the lease to run out.
    await eventually(() => b.isLeader(), (x) => x, 2_500);
    await w.kube.patch(configMap, { data: { 'redis.conf': 'appendonly yes\nmaxmemory 400mb\nmaxmemory-policy allkeys-lru\n' } }, 'merge');
    await eventually(() => w.agents.agent('cache-redis', 'cache-redis-1')!.state.config['maxmemory'], (v) => v === '400mb');
    expect(seen['b']!.some((e) => e.type === 'reloaded')).toBe(true);
    expect(seen['a']!.filter((e) => e.type === 'reloaded')).toHaveLength(1);
  }, 60_000);
});
