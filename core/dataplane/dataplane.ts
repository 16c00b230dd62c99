import type { Engine } from '../engine.js';
import type { KubeFactory } from './cluster-access.js';
import { DataplaneService } from './deploy-service.js';
import { fleetKubeFactory } from './fleet-kube.js';
import type { HelmClient } from './helm-client.js';
import { HelmCli } from './helm-client.js';
import { JobRunner } from './job-runner.js';
import type { JobRunnerOptions } from './job-runner.js';
import { ProcessRunner } from './process-runner.js';
import type { InstallRunner } from './runner.js';
import { InstallScheduler } from './scheduler.js';
import type { SchedulerOptions } from './scheduler.js';
import { SecretBox } from './secret-box.js';
import type { StageTimeouts } from './stage-env.js';
import type { RunnerKind } from './types.js';

export interface DataplaneOptions {
  secrets?: SecretBox | null;
  helm?: HelmClient;
  kubeFactory?: KubeFactory;
  timeouts?: StageTimeouts;
  pollMs?: number;
  /** Where new tasks run: in the scheduler's process (default) or as a Kubernetes Job in the target cluster. */
  taskRunner?: RunnerKind;
  job?: Omit<JobRunnerOptions, 'db' | 'secrets' | 'kubeFactory'>;
  /** Replace runners (tests, benchmarks). */
  runners?: Partial<Record<RunnerKind, InstallRunner>>;
  scheduler?: Partial<Omit<SchedulerOptions, 'db' | 'relay' | 'runners'>>;
}

export interface Dataplane {
  service: DataplaneService;
  scheduler(): InstallScheduler;
  /** How this dataplane reaches clusters: the given factory, else through the engine's fleet for kube contexts. */
  kubeFactory: KubeFactory;
  secrets: SecretBox | null;
}

/** Wires the dataplane services onto an engine (until the composition root does it itself). */
export function dataplaneFor(engine: Engine, options: DataplaneOptions = {}): Dataplane {
  const secrets = options.secrets === undefined ? SecretBox.fromEnv() : options.secrets;
  const kubeFactory = options.kubeFactory ?? fleetKubeFactory(() => engine.fleet());
  const service = new DataplaneService({ db: engine.db, actor: engine.actor, readonly: engine.config.readonly, relay: engine.relay, secrets,
    ...(options.taskRunner ? { runner: options.taskRunner } : {}) });
  return {
    service,
    kubeFactory,
    secrets,
    scheduler: () => new InstallScheduler({
      db: engine.db,
      relay: engine.relay,
      runners: {
        process: new ProcessRunner({
          db: engine.db, helm: options.helm ?? new HelmCli(), secrets, kubeFactory,
          ...(options.timeouts ? { timeouts: options.timeouts } : {}),
          ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        }),
        job: new JobRunner({ db: engine.db, secrets, kubeFactory, ...options.job }),
        ...options.runners,
      },
      ...options.scheduler,
    }),
  };
}
