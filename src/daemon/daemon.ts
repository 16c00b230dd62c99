import { errorMessage } from '../../core/errors.js';
import type { Engine } from '../../core/engine.js';
import type { DataplaneOptions, InstallScheduler, KubeFactory } from '../../core/dataplane/index.js';
import { SecretBox, dataplaneFor, defaultKubeFactory } from '../../core/dataplane/index.js';
import { syncClusters } from '../../core/dataplane/cluster-sync.js';
import type { ClusterSyncReport } from '../../core/dataplane/cluster-sync.js';
import { PRIMUS_CLUSTER } from '../../core/dataplane/cluster-sync.js';
import { SingletonLoop } from '../../core/dataplane/lease.js';
import { syncStorageConfigs } from '../../core/dataplane/storage-sync.js';
import type { StorageSyncReport } from '../../core/dataplane/storage-sync.js';
import type { KubeConnection } from '../../core/kube/connection.js';
import type { WatchHandle } from '../../core/kube/types.js';

export interface DaemonOptions {
  engine: Engine;
  dataplane?: DataplaneOptions;
  /** Where the Primus-SaFE Cluster resources live; null turns cluster sync off. */
  management?: KubeConnection | null;
  clusterSyncMs?: number;
  storageSyncMs?: number;
  log?: (line: string) => void;
}

export interface Daemon {
  scheduler: InstallScheduler;
  syncClustersNow(): void;
  syncStorageNow(): void;
  stop(): Promise<void>;
}

function summary(report: ClusterSyncReport | StorageSyncReport): string {
  return Object.entries(report).map(([k, v]) => `${k} ${(v as unknown[]).length}`).join(', ');
}

/** `fleetdeck daemon`: the install scheduler plus the cluster and storage sync loops (singletons across processes). */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { engine } = options;
  const log = options.log ?? (() => undefined);
  const secrets = options.dataplane?.secrets === undefined ? SecretBox.fromEnv() : options.dataplane.secrets;
  const kubeFactory: KubeFactory = options.dataplane?.kubeFactory ?? defaultKubeFactory;
  const dataplane = dataplaneFor(engine, { ...options.dataplane, secrets });
  const scheduler = dataplane.scheduler();
  const holder = scheduler.workerId;
  const management = options.management ?? null;

  const clusterLoop = management ? new SingletonLoop({
    db: engine.db, name: 'dataplane.cluster-sync', holder, intervalMs: options.clusterSyncMs ?? 60_000,
    run: () => syncClusters(engine.db, engine.relay, kubeFactory(management), secrets),
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
  let watch: WatchHandle | null = null;
  if (management) {
    // Watch events make a new Primus-SaFE cluster appear at once; the periodic pass covers missed events.
    watch = await kubeFactory(management).watch(PRIMUS_CLUSTER.apiVersion, PRIMUS_CLUSTER.kind, { timeoutMs: 10_000 }, () => clusterLoop?.kick())
      .catch((e: unknown) => {
        log(`cluster watch unavailable: ${errorMessage(e)}`);
        return null;
      });
  } else {
    log('cluster sync off: no management cluster (set FLEETDECK_MANAGEMENT_CONTEXT)');
  }
  return {
    scheduler,
    syncClustersNow: () => clusterLoop?.kick(),
    syncStorageNow: () => storageLoop.kick(),
    async stop() {
      watch?.stop();
      await clusterLoop?.stop();
      await storageLoop.stop();
      await scheduler.stop();
    },
  };
}

/** The management cluster from the environment: a kubeconfig context name. */
export function managementFromEnv(env: NodeJS.ProcessEnv = process.env): KubeConnection | null {
  const context = env.FLEETDECK_MANAGEMENT_CONTEXT;
  return context ? { kind: 'kubeconfig-file', context } : null;
}
