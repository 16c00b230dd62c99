import type { Engine } from '../engine.js';
import { MANAGEMENT_CLUSTER } from '../fleet.js';
import { AppsService } from './apps-service.js';
import type { AppsServiceOptions } from './apps-service.js';
import { BackupKey } from './backup/index.js';

/**
 * The apps of one cluster of an engine's fleet (default: the management cluster), audited as the engine's actor,
 * announcing changes on the `apps` topic. The backup key defaults to FLEETDECK_BACKUP_KEY.
 */
export function createAppsService(engine: Engine, options: { cluster?: string } & Partial<Pick<AppsServiceOptions, 'backupKey' | 'openStore' | 'probeTimeoutMs'>> = {}): AppsService {
  const { cluster = MANAGEMENT_CLUSTER, backupKey = () => BackupKey.fromEnv(), ...rest } = options;
  return new AppsService({
    kube: async () => (await engine.fleet()).kube(cluster),
    mutation: { db: engine.db, actor: engine.actor, readonly: engine.config.readonly },
    publish: (event) => engine.relay.publish(event),
    backupKey,
    ...rest,
  });
}
