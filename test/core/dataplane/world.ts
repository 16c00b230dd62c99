/** A dataplane test world: an engine over a test database, a sandbox cluster, and the fake helm. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../core/config.js';
import type { Engine } from '../../../core/engine.js';
import { createEngine } from '../../../core/engine.js';
import type { Dataplane, DataplaneOptions } from '../../../core/dataplane/index.js';
import { HelmCli, STORAGE_SECRET_NAME, SecretBox, dataplaneFor } from '../../../core/dataplane/index.js';
import type { InstallView } from '../../../core/dataplane/index.js';
import { startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { ControllerOptions, SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { TEST_ACTOR, openTestEngine } from '../../support/engine.js';
import type { FakeHelm } from '../../support/fake-bin/fake-helm.js';
import { fakeHelm } from '../../support/fake-bin/fake-helm.js';

export const SECRET_KEY = randomBytes(32).toString('hex');
export const CLUSTER_TOKEN = 'canary-cluster-token-7f3a';

export interface World {
  engine: Engine;
  url: string | null;
  cluster: SandboxCluster;
  helm: FakeHelm;
  secrets: SecretBox;
  dataplane: Dataplane;
  /**
   * The environment a fleetdeck process (the CLI) needs to work on this world's database with its key: the data
   * directory (shared PGlite) or the server URL (PostgreSQL). Empty for an in-memory PGlite world.
   */
  processEnv: Record<string, string>;
  close(): Promise<void>;
}

export interface WorldOptions {
  helmEnv?: Record<string, string>;
  dataplane?: DataplaneOptions;
  controller?: ControllerOptions;
  /**
   * PGlite: an embedded database in a data directory that other processes reach through this one (the owner),
   * instead of an in-memory one. PostgreSQL databases are always reachable through `url`.
   */
  shared?: boolean;
}

/** An engine over an embedded database in a fresh data directory, as a fleetdeck process opens it; this process owns it. */
async function openEmbeddedEngine(): Promise<{ engine: Engine; dataDir: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-world-'));
  const engine = await createEngine(resolveConfig({ dataDir }, { HOME: dataDir }), { actor: TEST_ACTOR });
  return { engine, dataDir, async close() { await engine.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

export async function openWorld(kind: 'pglite' | 'postgres', options: WorldOptions = {}): Promise<World> {
  let test: { engine: Engine; url: string | null; close(): Promise<void> };
  let processEnv: Record<string, string>;
  if (kind === 'pglite' && options.shared) {
    const embedded = await openEmbeddedEngine();
    test = { engine: embedded.engine, url: null, close: embedded.close };
    processEnv = { FLEETDECK_DATA_DIR: embedded.dataDir, HOME: embedded.dataDir };
  } else {
    const opened = await openTestEngine(kind);
    const home = mkdtempSync(join(tmpdir(), 'fleetdeck-world-home-'));
    test = { ...opened, async close() { await opened.close(); rmSync(home, { recursive: true, force: true }); } };
    processEnv = opened.url ? { FLEETDECK_DATABASE_URL: opened.url, HOME: home, FLEETDECK_DATA_DIR: join(home, 'data') } : {};
  }
  const cluster = await startSandboxCluster({ name: 'lens-target', tokens: { [CLUSTER_TOKEN]: 'admin' }, ...(options.controller ? { controller: options.controller } : {}) });
  const helm = fakeHelm(options.helmEnv);
  const secrets = SecretBox.fromKey(SECRET_KEY);
  const dataplane = dataplaneFor(test.engine, {
    secrets, helm: new HelmCli({ binary: helm.bin, env: helm.env }), timeouts: { default: 15_000 }, pollMs: 100,
    scheduler: { pollMs: 1000, staleMs: 3000, backoffBaseMs: 100 },
    ...options.dataplane,
  });
  return {
    engine: test.engine, url: test.url, cluster, helm, secrets, dataplane,
    processEnv: { ...processEnv, FLEETDECK_SECRET_KEY: SECRET_KEY },
    async close() {
      await cluster.stop();
      helm.cleanup();
      await test.close();
    },
  };
}

/** A complete external storage config, as an operator puts it in the cluster's primus-lens-storage-config Secret. */
export function externalStorage(name: string): Record<string, string> {
  return {
    storage_mode: 'external', postgres_host: `pg.${name}.example`, postgres_port: '5432', postgres_user: 'lens',
    postgres_password: `canary-pg-${name}`, opensearch_host: `os.${name}.example`, opensearch_port: '9200', prometheus_url: `http://prom.${name}.example:9090`,
  };
}

export function putStorageSecret(world: World, namespace: string, data: Record<string, string>): void {
  world.cluster.objects.put({
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: STORAGE_SECRET_NAME, namespace },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
}

/**
 * Registers a cluster of the sandbox target (namespace lens-NAME). External storage gets its storage Secret in the
 * cluster (as an operator creates it) unless `storageSecret: false`.
 */
export async function addTarget(world: World, name: string, storageMode: 'external' | 'lens-managed', helmValues: Record<string, unknown> = {},
  options: { storageSecret?: boolean } = {}): Promise<void> {
  await world.dataplane.service.addCluster({
    name, storageMode, kubeServer: world.cluster.url, credentials: { token: CLUSTER_TOKEN }, namespace: `lens-${name}`, helmValues,
  });
  if (storageMode === 'external' && options.storageSecret !== false) putStorageSecret(world, `lens-${name}`, externalStorage(name));
}

/** Polls `installs show` until the predicate holds. */
export async function waitForInstall(world: World, name: string, done: (view: InstallView) => boolean, timeoutMs = 60_000): Promise<InstallView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await world.dataplane.service.show(name);
    if (done(view)) return view;
    if (Date.now() > deadline) throw new Error(`install of ${name} did not get there in time: ${JSON.stringify(view.task, null, 1)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The install's task has ended (completed or failed). Not "dataplane status is no longer deploying": a queued task
 * leaves the status as it was until a worker claims it (seed 000 sets deploying when the installer starts).
 */
export function installEnded(view: InstallView): boolean {
  return view.task?.status === 'completed' || view.task?.status === 'failed';
}
