import type { Engine } from '../../core/engine.js';
import { MANAGEMENT_CLUSTER } from '../../core/fleet.js';
import type { CockpitSource } from '../../views/source.js';

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
  };
}
