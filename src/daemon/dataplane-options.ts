import type { Engine } from '../../core/engine.js';
import type { DataplaneOptions, InstallScheduler } from '../../core/dataplane/index.js';
import { sandboxHelmCli } from '../sandbox/helm/sandbox-helm.js';
import { sandboxSecretBox } from '../sandbox/world/dataplane-seed.js';
import { worldLayout } from '../sandbox/world/world-file.js';

/**
 * The dataplane adapters for this engine: in the sandbox, the sandbox helm (through the world's kubeconfig) and the
 * world's own encryption key; for a real fleet, the defaults (helm on PATH, FLEETDECK_SECRET_KEY). Clusters that
 * name a kube context are reached through the engine's fleet either way. `extra` wins over both.
 */
export function dataplaneOptionsFor(engine: Engine, extra: DataplaneOptions = {}): DataplaneOptions {
  if (!engine.config.sandbox) return extra;
  const layout = worldLayout(engine.config.dataDir);
  return {
    helm: sandboxHelmCli(layout), secrets: sandboxSecretBox(layout),
    ...extra,
    // The installer pods' logs are read through the world's kubeconfig, as its helm reaches the clusters.
    job: { kubeconfigSource: { env: { KUBECONFIG: layout.kubeconfig } }, ...extra.job },
  };
}

export interface InstallWorker {
  /** Stops claiming; tasks running here are handed back (another worker, or this one next time, resumes them). */
  stop(): Promise<void>;
}

/**
 * The install scheduler, in this process: the cockpit runs one so `d` installs even when no daemon is running (the
 * same scheduler as `serve`/`daemon`; workers in several processes share the tasks through SKIP LOCKED). Its
 * modules load after the caller's first frame. null when the engine is read-only: a read-only cockpit changes nothing.
 */
export function startInstallWorker(engine: Engine, extra: DataplaneOptions = {}, onError: (error: unknown) => void = () => undefined): InstallWorker | null {
  if (engine.config.readonly) return null;
  let scheduler: InstallScheduler | null = null;
  let stopped = false;
  const starting = (async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const { dataplaneFor } = await import('../../core/dataplane/dataplane.js');
    if (stopped) return;
    scheduler = dataplaneFor(engine, dataplaneOptionsFor(engine, extra)).scheduler();
    await scheduler.start();
  })().catch(onError);
  return {
    async stop() {
      stopped = true;
      await starting;
      await scheduler?.stop();
    },
  };
}
