import type { Engine } from '../../core/engine.js';
import { MANAGEMENT_CLUSTER } from '../../core/fleet.js';
import type { DataplaneService } from '../../core/dataplane/deploy-service.js';
import type { DrService } from '../../core/dr/dr-service.js';
import type { AppsSource } from '../../views/panels/apps-source.js';
import type { DrSource } from '../../views/panels/dr-source.js';
import type { CockpitSource, InstallsSource } from '../../views/source.js';
import type { SandboxFleet } from '../sandbox/world/sandbox-fleet.js';

/** The dataplane modules are loaded on first use of the Installs panel, not at cockpit start. */
function lazyInstalls(engine: Engine): InstallsSource {
  let service: Promise<DataplaneService> | null = null;
  const get = (): Promise<DataplaneService> => {
    // The same adapters as serve/daemon (in the sandbox: its helm and its key).
    service ??= Promise.all([import('../../core/dataplane/dataplane.js'), import('../daemon/dataplane-options.js')])
      .then(([{ dataplaneFor }, { dataplaneOptionsFor }]) => dataplaneFor(engine, dataplaneOptionsFor(engine)).service);
    return service;
  };
  return {
    list: async () => (await get()).list(),
    show: async (cluster) => (await get()).show(cluster),
    trigger: async (cluster) => (await get()).trigger(cluster),
    retry: async (cluster) => (await get()).retry(cluster),
    concurrency: engine.config.dataplane.concurrency,
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

/** The DR modules (executor, actions, templates) load on first use of the DR panel. */
function lazyDr(engine: Engine): DrSource {
  let service: Promise<DrService> | null = null;
  const get = (): Promise<DrService> => {
    service ??= (async () => {
      const [{ drServiceFor }, { drSecretsFor }] = await Promise.all([
        import('../../core/dr/dr-service.js'), import('../sandbox/dr/secrets.js'),
      ]);
      return drServiceFor(engine, { secrets: drSecretsFor(engine) });
    })();
    return service;
  };
  return {
    listPlans: async () => (await get()).listPlans(),
    listExecutions: async (limit) => (await get()).listExecutions(limit),
    status: async (id) => (await get()).status(id),
    dryRun: async (plan, overrides) => (await get()).dryRun(plan, overrides),
    startExecute: async (plan, overrides) => (await get()).startExecute(plan, overrides),
    startRevert: async (execution) => (await get()).startRevert(execution),
    run: async (id) => (await get()).run(id),
    cancel: async (id) => (await get()).cancel(id),
  };
}

/** The sandbox world's notices (src/sandbox/world/sandbox-fleet.ts), once its fleet is open. */
function sandboxNotices(engine: Engine, listener: (text: string) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  void engine.fleet().then((fleet) => {
    if (!stopped) stop = (fleet as SandboxFleet).onNotice(listener);
  }, () => undefined);
  return () => {
    stopped = true;
    stop?.();
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
    dr: lazyDr(engine),
    drift: {
      scan: () => engine.drift.scan(),
      lastReport: () => engine.drift.lastReport(),
      plan: (only, options) => engine.drift.plan({ only, ...(options?.destructive ? { destructive: options.destructive } : {}) }),
      apply: async (planId) => (await engine.drift.apply(planId)).operation,
    },
    lifecycle: {
      create: (name, provider) => engine.lifecycle.create(name, provider),
      delete: (name) => engine.lifecycle.delete(name),
      showOperation: (id) => engine.operations.show(id),
    },
    installs: lazyInstalls(engine),
    ...(engine.config.sandbox ? { notices: (listener: (text: string) => void) => sandboxNotices(engine, listener) } : {}),
  };
}
