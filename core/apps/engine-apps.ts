import type { Engine } from '../engine.js';
import { MANAGEMENT_CLUSTER } from '../fleet.js';
import type { KubeGateway } from '../kube/types.js';
import { startAppsControllerSingleton } from './apps-controller.js';
import type { AppsControllerEvent, AppsControllerSingleton, AppsControllerSingletonOptions } from './apps-controller.js';
import { AppsService } from './apps-service.js';
import type { AppsServiceOptions } from './apps-service.js';
import { BackupKey } from './backup/index.js';
import { registerAppsKinds } from './apps-kinds.js';

/**
 * The apps of one cluster of an engine's fleet (default: the management cluster), audited as the engine's actor,
 * announcing changes on the `apps` topic. The backup key defaults to FLEETDECK_BACKUP_KEY.
 */
export function createAppsService(engine: Engine, options: { cluster?: string } & Partial<Pick<AppsServiceOptions, 'backupKey' | 'openStore' | 'probeTimeoutMs'>> = {}): AppsService {
  const { cluster = MANAGEMENT_CLUSTER, backupKey = () => BackupKey.fromEnv(), ...rest } = options;
  registerAppsKinds(engine.operations, { fleet: () => engine.fleet(), relay: engine.relay });
  return new AppsService({
    kube: async () => (await engine.fleet()).kube(cluster),
    mutation: { db: engine.db, actor: engine.actor, readonly: engine.config.readonly },
    operations: engine.operations,
    cluster,
    publish: (event) => engine.relay.publish(event),
    backupKey,
    ...rest,
  });
}

/** One line per controller event, for the daemon's log. */
export function describeControllerEvent(event: AppsControllerEvent, context: string): string {
  switch (event.type) {
    case 'leading': return `apps controller: leading on ${context} (ConfigMap edits reload agents, plugin changes roll groups)`;
    case 'standby': return `apps controller: another process leads on ${context}; standing by`;
    case 'reloaded': return `apps controller: reloaded ${event.group}${event.restarted.length ? `, restarted ${event.restarted.join(', ')}` : ''}`;
    case 'marked': return `apps controller: plugin ${event.plugin} changed; marked ${event.groups.join(', ')} for re-rendering`;
    case 'rolled': return `apps controller: rolled ${event.group}`;
    case 'error': return `apps controller: ${event.message}`;
  }
}

export interface EngineAppsControllerOptions extends AppsControllerSingletonOptions {
  /** The cluster whose apps it drives (default: the management cluster); or a gateway to use as it is. */
  cluster?: string;
  kube?: KubeGateway;
  log?(line: string): void;
}

/**
 * What `fleetdeck daemon` (and so `serve`) runs: the apps controller on the management cluster, as a singleton
 * across processes, announcing what it did on the `apps` topic so cockpits refresh.
 */
export async function startEngineAppsController(engine: Engine, options: EngineAppsControllerOptions = {}): Promise<AppsControllerSingleton> {
  registerAppsKinds(engine.operations, { fleet: () => engine.fleet(), relay: engine.relay });
  const kube = options.kube ?? await (await engine.fleet()).kube(options.cluster ?? MANAGEMENT_CLUSTER);
  return startAppsControllerSingleton(kube, {
    roll: true,
    ...options,
    onEvent: (event) => {
      options.log?.(describeControllerEvent(event, kube.context));
      options.onEvent?.(event);
      const target = event.type === 'reloaded' || event.type === 'rolled' ? event.group : event.type === 'marked' ? event.plugin : undefined;
      if (target) void engine.relay.publish({ topic: 'apps', type: `controller.${event.type}`, target }).catch(() => undefined);
    },
  });
}
