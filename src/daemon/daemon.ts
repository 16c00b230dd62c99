import { errorMessage } from '../../core/errors.js';
import { watchDrift } from '../../core/drift/drift-watcher.js';
import { drServiceFor } from '../../core/dr/dr-service.js';
import { drSecretsFor } from '../sandbox/dr/secrets.js';
import type { Engine } from '../../core/engine.js';
import type { DataplaneOptions, InstallScheduler } from '../../core/dataplane/index.js';
import { dataplaneFor } from '../../core/dataplane/index.js';
import { syncClusters } from '../../core/dataplane/cluster-sync.js';
import type { ClusterSyncReport } from '../../core/dataplane/cluster-sync.js';
import { PRIMUS_CLUSTER } from '../../core/dataplane/cluster-sync.js';
import { SingletonLoop } from '../../core/dataplane/lease.js';
import { syncStorageConfigs } from '../../core/dataplane/storage-sync.js';
import type { StorageSyncReport } from '../../core/dataplane/storage-sync.js';
import type { KubeConnection } from '../../core/kube/connection.js';
import type { KubeGateway } from '../../core/kube/types.js';
import { keepWatching } from '../../core/dataplane/rewatch.js';
import type { KeptWatch } from '../../core/dataplane/rewatch.js';
import type { EngineAppsControllerOptions } from '../../core/apps/engine-apps.js';
import { resolveManagement } from './management.js';

export { managementFromEnv, resolveManagement } from './management.js';
export type { ManagementCluster, ManagementResolution } from './management.js';

export interface DaemonOptions {
  engine: Engine;
  dataplane?: DataplaneOptions;
  /**
   * Where the Primus-SaFE Cluster resources live. Omitted: FLEETDECK_MANAGEMENT_CONTEXT, else the engine's fleet
   * (fleet.managementContext, or the sandbox devops cluster). null turns cluster sync off.
   */
  management?: KubeConnection | KubeGateway | null;
  /** The environment the override is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  clusterSyncMs?: number;
  storageSyncMs?: number;
  /** Backoff between attempts to re-open the cluster watch (default 0.5 s doubling to 30 s). */
  watchBackoffMs?: { min: number; max: number };
  /** The apps controller (seed 003 change flows) on the management cluster; null turns it off. */
  apps?: EngineAppsControllerOptions | null;
  log?: (line: string) => void;
}

export interface Daemon {
  scheduler: InstallScheduler;
  /** The management cluster cluster sync reads, or null when cluster sync is off. */
  management: KubeGateway | null;
  /** The Primus-SaFE Cluster watch (null when cluster sync is off). */
  clusterWatch: KeptWatch | null;
  syncClustersNow(): void;
  syncStorageNow(): void;
  stop(): Promise<void>;
}

function summary(report: ClusterSyncReport | StorageSyncReport): string {
  return Object.entries(report).map(([k, v]) => `${k} ${(v as unknown[]).length}`).join(', ');
}

function isConnection(value: KubeConnection | KubeGateway): value is KubeConnection {
  return typeof (value as { kind?: unknown }).kind === 'string' && typeof (value as { list?: unknown }).list !== 'function';
}

/** `fleetdeck daemon`: the install scheduler plus the cluster and storage sync loops (singletons across processes). */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { engine } = options;
  const log = options.log ?? (() => undefined);
  const dataplane = dataplaneFor(engine, options.dataplane);
  const { secrets, kubeFactory } = dataplane;
  const scheduler = dataplane.scheduler();
  const holder = scheduler.workerId;

  let management: KubeGateway | null = null;
  if (options.management === undefined) {
    const resolved = await resolveManagement(engine, { ...(options.env ? { env: options.env } : {}), kubeFactory });
    if (resolved.gateway) {
      management = resolved.gateway;
      log(`cluster sync reads Primus-SaFE clusters from ${resolved.source}`);
    } else {
      log(`cluster sync off: ${resolved.reason}`);
    }
  } else if (options.management !== null) {
    management = isConnection(options.management) ? await kubeFactory(options.management) : options.management;
  } else {
    log('cluster sync off');
  }
  const managementGateway = management;

  const clusterLoop = managementGateway ? new SingletonLoop({
    db: engine.db, name: 'dataplane.cluster-sync', holder, intervalMs: options.clusterSyncMs ?? 60_000,
    run: () => syncClusters(engine.db, engine.relay, managementGateway, secrets),
    onResult: (r) => log(`cluster sync: ${summary(r)}`),
    onError: (e) => log(`cluster sync failed: ${errorMessage(e)}`),
  }) : null;
  const storageLoop = new SingletonLoop({
    db: engine.db, name: 'dataplane.storage-sync', holder, intervalMs: options.storageSyncMs ?? 30_000,
    run: () => syncStorageConfigs({ db: engine.db, secrets, kubeFactory }),
    onResult: (r) => log(`storage sync: ${summary(r)}`),
    onError: (e) => log(`storage sync failed: ${errorMessage(e)}`),
  });

  await scheduler.start();
  clusterLoop?.start();
  storageLoop.start();
  // Watch events make a new Primus-SaFE cluster appear at once; a closed watch is opened again (with backoff), and
  // the periodic pass covers events missed in between.
  const watch: KeptWatch | null = managementGateway
    ? keepWatching(() => managementGateway.watch(PRIMUS_CLUSTER.apiVersion, PRIMUS_CLUSTER.kind, { timeoutMs: 10_000 }, () => clusterLoop?.kick()), {
        ...(options.watchBackoffMs ? { minBackoffMs: options.watchBackoffMs.min, maxBackoffMs: options.watchBackoffMs.max } : {}),
        onReopened: () => clusterLoop?.kick(),
        log: (line) => log(`cluster ${line}`),
      })
    : null;
  // Drift is rescanned on inventory and operation events and every 60 s; DR executions whose process died resume.
  const drift = watchDrift({ events: engine.events, drift: engine.drift }, { onError: (e) => log(`drift scan failed: ${errorMessage(e)}`) });
  const dr = drServiceFor(engine, { secrets: drSecretsFor(engine) });
  const resumeDr = async (): Promise<void> => {
    for (const id of await dr.orphaned()) {
      log(`resuming DR execution ${id}`);
      await dr.run(id).catch((e: unknown) => log(`DR execution ${id} failed: ${errorMessage(e)}`));
    }
  };
  const drTimer = setInterval(() => void resumeDr().catch(() => undefined), 15_000);
  drTimer.unref();
  // Apps: edited group ConfigMaps reach the agents, changed plugins roll their groups (one process leads).
  const apps = options.apps === null ? null : await import('../../core/apps/engine-apps.js')
    .then((m) => m.startEngineAppsController(engine, { log, ...options.apps }))
    .catch((e: unknown) => {
      log(`apps controller off: ${errorMessage(e)}`);
      return null;
    });
  return {
    scheduler,
    management: managementGateway,
    clusterWatch: watch,
    syncClustersNow: () => clusterLoop?.kick(),
    syncStorageNow: () => storageLoop.kick(),
    async stop() {
      await apps?.stop();
      clearInterval(drTimer);
      drift.stop();
      watch?.stop();
      await clusterLoop?.stop();
      await storageLoop.stop();
      await scheduler.stop();
    },
  };
}
