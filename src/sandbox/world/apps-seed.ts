/**
 * The sandbox's middleware app (seed 003): app `cache`, component `redis`, group `cache-redis` with two instances,
 * rendered from the Redis plugin ConfigMap in the devops cluster. Each instance's agents listen on a loopback port
 * recorded in the Group status (the sandbox host starts them there), and keep their data in a directory beside the
 * world so backups have something to pack.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BackupKey } from '../../../core/apps/backup/index.js';
import {
  DEFAULT_APPS_NAMESPACE, MIDDLEWARE_API_VERSION, MIDDLEWARE_CRDS, applyApp, configTextHash, findNamed, groupsOf, componentsOf,
  instanceNames, parseApp, parsePlugin, patchGroupStatus, renderGroup,
} from '../../../core/apps/index.js';
import type { App, MemberStatus } from '../../../core/apps/index.js';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import type { Fleet } from '../../../core/fleet.js';
import { MANAGEMENT_CLUSTER } from '../../../core/fleet.js';
import type { KubeGateway, KubeObject } from '../../../core/kube/types.js';
import { redisPluginConfigMap } from '../apps/redis-plugin.js';
import { freePort } from './free-port.js';
import type { WorldLayout } from './world-file.js';

export const SANDBOX_APP = { app: 'cache', component: 'redis', group: 'cache-redis', instances: 2 } as const;

export interface SandboxAppsPaths {
  root: string;
  /** One directory per instance: what its PVC would hold. */
  dataDir: string;
  backups: string;
  /** The backup key, kept apart from the backups it opens: <data-dir>/sandbox/secrets/backup.key, mode 0600. */
  keyFile: string;
}

export function sandboxAppsPaths(layout: Pick<WorldLayout, 'root'>): SandboxAppsPaths {
  const root = join(layout.root, 'apps');
  return { root, dataDir: join(root, 'data'), backups: join(root, 'backups'), keyFile: join(layout.root, 'secrets', 'backup.key') };
}

/** Where earlier versions kept the key: beside the backups. It is moved out on first use. */
const legacyKeyFile = (layout: Pick<WorldLayout, 'root'>) => join(layout.root, 'apps', 'backup.key');

/** The sandbox's backup key (FLEETDECK_BACKUP_KEY wins when set), so `apps backup` works without setup. */
export function sandboxBackupKey(layout: Pick<WorldLayout, 'root'>, env: NodeJS.ProcessEnv = process.env): BackupKey {
  if (env['FLEETDECK_BACKUP_KEY']) return BackupKey.fromEnv(env);
  const { keyFile } = sandboxAppsPaths(layout);
  const dir = dirname(keyFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(keyFile)) {
    const legacy = legacyKeyFile(layout);
    if (existsSync(legacy)) renameSync(legacy, keyFile);
    else {
      try {
        writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // Another process wrote it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
  chmodSync(keyFile, 0o600);
  return BackupKey.fromText(readFileSync(keyFile, 'utf8'), { kind: 'file', path: keyFile });
}

function cacheApp(backups: string): App {
  return parseApp({
    apiVersion: MIDDLEWARE_API_VERSION, kind: 'App', metadata: { name: SANDBOX_APP.app, namespace: DEFAULT_APPS_NAMESPACE },
    spec: {
      description: 'Session cache (sandbox)',
      components: [{
        name: SANDBOX_APP.component, type: 'redis', version: '7.2.4',
        groups: [{
          name: SANDBOX_APP.group, instances: SANDBOX_APP.instances,
          config: { maxmemory: '256mb', 'maxmemory-policy': 'allkeys-lru' },
          storage: { enabled: true, size: '1Gi' },
          upgradeStrategy: { maxSurge: 0, maxUnavailable: 1 },
          backup: { target: backups, keep: 5 },
        }],
      }],
    },
  });
}

async function ensure(kube: KubeGateway, object: KubeObject): Promise<void> {
  const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name ?? '', ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
  if (!(await kube.find(ref))) await kube.create(object);
}

async function serves(kube: KubeGateway, apiVersion: string, kind: string): Promise<boolean> {
  try {
    await kube.list(apiVersion, kind, { limit: 1 });
    return true;
  } catch (error) {
    if (error instanceof FleetError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

async function waitForCrds(kube: KubeGateway): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    if (await serves(kube, MIDDLEWARE_API_VERSION, 'Group')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Installs the CRDs, the plugin and the App into a cluster, and records where each instance's agents listen. */
export async function seedAppsInto(kube: KubeGateway, layout: Pick<WorldLayout, 'root'>): Promise<void> {
  const paths = sandboxAppsPaths(layout);
  for (const crd of MIDDLEWARE_CRDS) await ensure(kube, crd);
  await waitForCrds(kube);
  await ensure(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEFAULT_APPS_NAMESPACE } });
  const pluginObject = redisPluginConfigMap(DEFAULT_APPS_NAMESPACE);
  await kube.apply(pluginObject);
  const plugin = parsePlugin(pluginObject);
  const app = cacheApp(paths.backups);
  await applyApp(kube, app, new Map([[plugin.type, plugin]]));
  const group = findNamed(componentsOf(app).flatMap(groupsOf), SANDBOX_APP.group, 'group');
  const members: MemberStatus[] = [];
  for (const [ordinal, instance] of instanceNames(group).entries()) {
    const dataDir = join(paths.dataDir, group.name, instance);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'dump.rdb'), `REDIS0011 sandbox data of ${instance}\nsession:1 alice\nsession:2 bob\n`);
    const address = `127.0.0.1:${await freePort()}`;
    members.push({ instance, role: ordinal === 0 ? 'master' : 'replica', agent: { status: address, control: address }, dataDir });
  }
  const configText = renderGroup(group, plugin).configText ?? '';
  await patchGroupStatus(kube, group, {
    phase: 'Running', renderedPluginHash: plugin.hash, renderNeeded: false, configHash: configTextHash(configText), members,
  });
  mkdirSync(paths.backups, { recursive: true });
  sandboxBackupKey(layout, {});
}

/** Called by the sandbox seeding, last: the middleware app in the management (devops) cluster. */
export async function seedApps(_engine: Engine, fleet: Fleet & { layout: WorldLayout }): Promise<void> {
  await seedAppsInto(await fleet.kube(MANAGEMENT_CLUSTER), fleet.layout);
}
