/**
 * `apps apply` and `apps delete` as journaled operations against a sandbox cluster: plugins already in the cluster
 * are used, a failed apply stops with resume/undo (undo leaves nothing behind, resume creates nothing twice), and a
 * delete whose pods will not go stops before deleting anything they mount, then resumes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createAppsService, readClusterApps } from '../../../core/apps/index.js';
import type { AppsService } from '../../../core/apps/index.js';
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import type { Fleet } from '../../../core/fleet.js';
import type { KubeGateway, KubeObject } from '../../../core/kube/index.js';
import { REDIS_PLUGIN_DATA, redisPluginConfigMap } from '../../../src/sandbox/apps/redis-plugin.js';
import { openTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';
import { TEST_ACTOR } from '../../support/engine.js';
import { openAppsWorld } from './support.js';
import type { AppsWorld } from './support.js';

/** Faults of the outside world: an apply the API server drops once, pod deletes it accepts but never carries out (a finalizer). */
interface Faults {
  failApplyOnce?: (object: KubeObject) => boolean;
  podsStuck?: boolean;
}

function withFaults(kube: KubeGateway, faults: Faults): KubeGateway {
  return new Proxy(kube, {
    get(target, prop, receiver) {
      if (prop === 'apply') {
        return async (object: KubeObject, options?: object) => {
          if (faults.failApplyOnce?.(object)) {
            faults.failApplyOnce = undefined;
            throw new FleetError('UNAVAILABLE', `the API server closed the connection applying ${object.kind}/${object.metadata.name ?? ''}`, 'Retry.');
          }
          return target.apply(object, options);
        };
      }
      if (prop === 'delete') {
        return async (ref: { kind: string }, options?: object) => (faults.podsStuck && ref.kind === 'Pod' ? true : target.delete(ref as never, options));
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let world: AppsWorld;
let test: TestDatabase;
let engine: Engine;
let service: AppsService;
let scratch: string;
const faults: Faults = {};

beforeAll(async () => {
  test = await openTestDatabase('pglite');
  scratch = mkdtempSync(join(tmpdir(), 'fleetdeck-apps-ops-'));
  const fleet = { sandbox: false, kube: async () => withFaults(world.kube, faults), close: async () => undefined } as unknown as Fleet;
  engine = await createEngine(resolveConfig({ dataDir: scratch }, { HOME: scratch }), { db: test.db, actor: TEST_ACTOR, fleet: async () => fleet });
  service = createAppsService(engine);
}, 60_000);
afterAll(async () => {
  await engine.close();
  await test.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  world = await openAppsWorld();
});
afterEach(async () => {
  delete faults.failApplyOnce;
  delete faults.podsStuck;
  await world.close();
});

const appYaml = (name: string, type = 'redis') => stringify({
  apiVersion: 'middleware.io/v1alpha1', kind: 'App', metadata: { name, namespace: 'middleware' },
  spec: { components: [{ name: 'redis', type, version: '7.2.4', groups: [{ name: `${name}-redis`, instances: 2, upgradeStrategy: { maxUnavailable: 1 } }] }] },
});

async function kinds(namespace: string, selector: string): Promise<string[]> {
  const out: string[] = [];
  for (const [apiVersion, kind] of [['middleware.io/v1alpha1', 'App'], ['middleware.io/v1alpha1', 'Component'], ['middleware.io/v1alpha1', 'Group'],
    ['v1', 'ConfigMap'], ['v1', 'PersistentVolumeClaim'], ['v1', 'Service'], ['apps/v1', 'Deployment'], ['v1', 'Pod']] as const) {
    for (const item of (await world.kube.list(apiVersion, kind, { namespace, labelSelector: selector })).items) out.push(`${kind}/${item.metadata.name ?? ''}`);
  }
  return out.sort();
}

async function failure(run: () => Promise<unknown>): Promise<FleetError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('expected a FleetError');
}

describe('apps apply as a journaled operation', () => {
  it('renders with the plugins already in the cluster when the file has none', async () => {
    const [op] = await service.apply(appYaml('orders'), 'orders.yaml');
    expect(op?.status).toBe('succeeded');
    expect(op?.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['App middleware/orders', 'Deployment middleware/orders-redis-0']));
    expect((await readClusterApps(world.kube)).groups.map((g) => g.name)).toEqual(['cache-redis', 'orders-redis']);
  });

  it('refuses before any write when the plugin is missing or the file holds no App', async () => {
    const missing = await failure(() => service.apply(appYaml('queue', 'kafka'), 'queue.yaml'));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.hint).toContain('middleware.io/plugin=kafka');
    const bare = await failure(() => service.apply(stringify(redisPluginConfigMap('middleware')), 'plugin.yaml'));
    expect(bare.message).toContain('has no App');
    expect((await engine.operations.list()).filter((op) => op.target.includes('/queue'))).toEqual([]);
    expect(await kinds('middleware', 'middleware.io/app=queue')).toEqual([]);
  });

  it('a failed apply stops with resume and undo; undo leaves nothing of it behind', async () => {
    // A plugin (in the file) whose template renders a kind this cluster does not serve: the apply fails half-way.
    const broken = redisPluginConfigMap('middleware', {
      ...REDIS_PLUGIN_DATA,
      'plugin.yaml': 'type: brokenmw\nversion: 1.0.0\nconfigFile: redis.conf\nconfigPath: /etc/redis/redis.conf\n',
      'zz-budget.yaml': 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {{ .Group.name }}\nspec:\n  maxUnavailable: 1\n',
    });
    broken.metadata.name = 'middleware-plugin-brokenmw';
    broken.metadata.labels = { 'middleware.io/plugin': 'brokenmw' };
    const error = await failure(() => service.apply(`${appYaml('shop', 'brokenmw')}---\n${stringify(broken)}`, 'shop.yaml'));
    expect(error.message).toMatch(/step "PodDisruptionBudget middleware\/shop-redis" of operation \d+ \(apps\.apply/);
    const id = Number(error.details['operation']);
    expect(error.hint).toContain(`fleetdeck ops resume ${id}`);
    expect(error.hint).toContain(`fleetdeck ops undo ${id}`);
    expect(await kinds('middleware', 'middleware.io/app=shop')).toEqual(expect.arrayContaining(['App/shop', 'Group/shop-redis', 'Service/shop-redis']));

    const undone = await engine.operations.undo(id);
    expect(undone.status).toBe('undone');
    expect(await kinds('middleware', 'middleware.io/app=shop')).toEqual([]);
    expect(await kinds('middleware', 'middleware.io/group=shop-redis')).toEqual([]);
    expect(await world.kube.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'middleware', name: 'middleware-plugin-brokenmw' })).toBeUndefined();
    // What existed before the apply is untouched.
    expect((await readClusterApps(world.kube)).groups.map((g) => g.name)).toEqual(['cache-redis']);
  });

  it('an interrupted apply resumes where it stopped and creates nothing twice', async () => {
    faults.failApplyOnce = (o) => o.kind === 'Service';
    const error = await failure(() => service.apply(appYaml('orders'), 'orders.yaml'));
    const id = Number(error.details['operation']);
    const created: string[] = [];
    const stop = world.cluster.store.subscribe((event) => {
      if (event.type === 'ADDED' && event.object.kind !== 'Pod') created.push(`${event.object.kind}/${event.object.metadata.name ?? ''}`);
    });
    const resumed = await engine.operations.resume(id);
    stop();
    expect(resumed.status).toBe('succeeded');
    expect(created).toEqual(['Service/orders-redis', 'Deployment/orders-redis-0', 'Deployment/orders-redis-1']);
  });
});

describe('apps delete', () => {
  it('deletes pods, then what they mount, then Group, Component and App', async () => {
    const deleted: string[] = [];
    const stop = world.cluster.store.subscribe((event) => {
      if (event.type === 'DELETED') deleted.push(event.object.kind);
    });
    const op = await service.delete('cache');
    stop();
    expect(op.status).toBe('succeeded');
    const order = ['Pod', 'Deployment', 'Service', 'PersistentVolumeClaim', 'ConfigMap', 'Group', 'Component', 'App'];
    const seen = deleted.filter((k) => order.includes(k));
    expect(seen.map((k) => order.indexOf(k))).toEqual([...seen.map((k) => order.indexOf(k))].sort((a, b) => a - b));
    expect(new Set(seen)).toEqual(new Set(order));
    expect(await kinds('middleware', 'middleware.io/group=cache-redis')).toEqual([]);
    expect((await readClusterApps(world.kube)).apps).toEqual([]);
  });

  it('stops when pods will not go, deleting nothing they mount, and finishes on resume', async () => {
    // A pod of the group no workload owns (a debug pod), whose deletion the API server accepts but never carries out.
    await world.kube.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cache-redis-debug', namespace: 'middleware',
      labels: { 'middleware.io/group': 'cache-redis' } }, spec: { containers: [{ name: 'shell', image: 'busybox' }] } });
    faults.podsStuck = true;
    const error = await failure(() => service.delete('cache', { podTimeoutMs: 500 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('nothing else was deleted');
    expect(error.message).toContain('cache-redis-debug');
    const id = Number(error.details['operation']);
    expect(error.hint).toContain(`fleetdeck ops resume ${id}`);
    expect(await kinds('middleware', 'middleware.io/group=cache-redis')).toEqual(expect.arrayContaining([
      'ConfigMap/cache-redis-config', 'Deployment/cache-redis-0', 'PersistentVolumeClaim/cache-redis-0-data', 'Service/cache-redis',
    ]));
    expect((await readClusterApps(world.kube)).apps.map((a) => a.name)).toEqual(['cache']);

    faults.podsStuck = false;
    expect((await engine.operations.resume(id)).status).toBe('succeeded');
    expect(await kinds('middleware', 'middleware.io/group=cache-redis')).toEqual([]);
  });

  it('names a missing app', async () => {
    const error = await failure(() => service.delete('nosuch'));
    expect(error.code).toBe('NOT_FOUND');
  });
});
