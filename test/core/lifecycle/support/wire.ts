import type { Engine } from '../../../../core/engine.js';
import { createFleetServices, type FleetServices } from '../../../../core/drift/fleet-services.js';
import type { FleetPorts } from '../../../../core/lifecycle/ports.js';
import type { StepCheckpoint } from '../../../../core/lifecycle/steps-hook.js';

/** The lifecycle and drift services over an engine and test ports, as the composition root will wire them. */
export function wire(engine: Engine, ports: FleetPorts, opts: { checkpoint?: StepCheckpoint; probeApi?: boolean } = {}): FleetServices {
  return createFleetServices({
    db: engine.db, relay: engine.relay, actor: engine.actor, readonly: engine.config.readonly, runner: engine.operations,
    ranges: engine.config.ranges, ports: async () => ports, collect: { probeApi: opts.probeApi ?? false },
    ...(opts.checkpoint ? { checkpoint: opts.checkpoint } : {}),
  });
}
