/**
 * Wiring for the composition root: registers `env.create`, `env.delete` and `drift.repair` on the runner (every
 * process that may resume them must) and builds the lifecycle and drift services over lazily built fleet ports.
 */
import type { Actor } from '../audit/audit-log.js';
import type { Database } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import type { AllocationRanges } from '../inventory/allocation.js';
import { LifecycleService, registerLifecycleKinds } from '../lifecycle/lifecycle-service.js';
import type { FleetPorts, FleetPortsSource } from '../lifecycle/ports.js';
import type { StepCheckpoint } from '../lifecycle/steps-hook.js';
import type { OperationRunner } from '../operations/operation-runner.js';
import type { CollectOptions } from './collect.js';
import { DriftService } from './drift-service.js';
import { repairKind, type StartWaitOptions } from './repair-kind.js';

export interface FleetServicesDeps {
  db: Database;
  relay: EventRelay;
  actor: Actor;
  readonly: boolean;
  runner: OperationRunner;
  ranges: AllocationRanges;
  ports: FleetPortsSource;
  collect?: CollectOptions;
  checkpoint?: StepCheckpoint;
  /** How long the `start_cluster` repair waits for the API server (default 60 s). */
  startWait?: StartWaitOptions;
}

export interface FleetServices {
  lifecycle: LifecycleService;
  drift: DriftService;
}

export function createFleetServices(deps: FleetServicesDeps): FleetServices {
  const kindDeps = { db: deps.db, relay: deps.relay, ranges: deps.ranges, ports: deps.ports, ...(deps.checkpoint ? { checkpoint: deps.checkpoint } : {}) };
  registerLifecycleKinds(deps.runner, kindDeps);
  deps.runner.register(repairKind({ ...kindDeps, ...(deps.startWait ? { startWait: deps.startWait } : {}) }));
  return {
    lifecycle: new LifecycleService({ db: deps.db, readonly: deps.readonly, runner: deps.runner, ports: deps.ports }),
    drift: new DriftService({
      db: deps.db, relay: deps.relay, actor: deps.actor, readonly: deps.readonly, runner: deps.runner, ports: deps.ports,
      ...(deps.collect ? { collect: deps.collect } : {}),
    }),
  };
}

/** The shape of the engine's Fleet that matters here; its `kube(name).server` is where ArgoCD reaches a cluster. */
export interface FleetLike extends Omit<FleetPorts, 'kubeServerFor'> {
  kube(clusterName: string): Promise<{ server: string }>;
}

export function fleetPortsFrom(fleet: FleetLike): FleetPorts {
  return {
    providers: fleet.providers, git: fleet.git, registrars: fleet.registrars,
    kubeServerFor: async (cluster) => fleet.kube(cluster.name).then((k) => k.server, () => undefined),
  };
}
