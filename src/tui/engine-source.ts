import type { Engine } from '../../core/engine.js';
import { MANAGEMENT_CLUSTER } from '../../core/fleet.js';
import type { DataplaneService } from '../../core/dataplane/deploy-service.js';
import type { AppsSource } from '../../views/panels/apps-source.js';
import type { CockpitSource, InstallsSource } from '../../views/source.js';

/** The dataplane modules are loaded on first use of the Installs panel, not at cockpit start. */
function lazyInstalls(engine: Engine): InstallsSource {
  let service: Promise<DataplaneService> | null = null;
  const get = (): Promise<DataplaneService> => {
    service ??= import('../../core/dataplane/dataplane.js').then(({ dataplaneFor }) => dataplaneFor(engine).service);
    return service;
  };
  return {
    list: async () => (await get()).list(),
    show: async (cluster) => (await get()).show(cluster),
    trigger: async (cluster) => (await get()).trigger(cluster),
    retry: async (cluster) => (await get()).retry(cluster),
  };
}

/** The apps modules (gRPC, tar, S3) load on first use of the Apps panel. */
function lazyApps(engine: Engine): AppsSource {
  let service: Promise<AppsSource> | null = null;
  const get = (): Promise<AppsSource> => {
    service ??= (async () => {
      const { createAppsService } = await import('../../core/apps/engine-apps.js');
      if (!engine.config.sandbox) return createAppsService(engine);
      const { sandboxBackupKey } = await import('../sandbox/world/apps-seed.js');
      const { worldLayout } = await import('../sandbox/world/world-file.js');
      const layout = worldLayout(engine.config.dataDir);
      return createAppsService(engine, { backupKey: () => sandboxBackupKey(layout) });
    })();
    return service;
  };
  return {
    tree: async () => (await get()).tree(),
    failover: async (group) => (await get()).failover(group),
    reload: async (group) => (await get()).reload(group),
    backup: async (group) => (await get()).backup(group),
  };
}

/** The cockpit sees the engine only through this narrow adapter. */
export function engineSource(engine: Engine): CockpitSource {
  return {
    status: {
      databaseTarget: engine.db.target,
      sandbox: engine.config.sandbox,
      readonly: engine.config.readonly,
      managementCluster: MANAGEMENT_CLUSTER,
    },
    listClusters: () => engine.inventory.list(),
    subscribe: (listener) => engine.events.subscribe(listener),
    async removeCluster(name) {
      await engine.inventory.remove(name);
    },
    apps: lazyApps(engine),
    drift: {
      scan: () => engine.drift.scan(),
      lastReport: () => engine.drift.lastReport(),
      plan: (only) => engine.drift.plan({ only }),
      apply: async (planId) => (await engine.drift.apply(planId)).operation,
    },
    lifecycle: {
      create: (name, provider) => engine.lifecycle.create(name, provider),
      delete: (name) => engine.lifecycle.delete(name),
      showOperation: (id) => engine.operations.show(id),
    },
    installs: lazyInstalls(engine),
  };
}
