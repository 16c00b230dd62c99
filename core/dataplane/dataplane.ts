import type { DataplaneSettings } from '../config.js';
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
  /**
   * How this process's scheduler runs the tasks it claims: in its own process, or as a Kubernetes Job in the target
   * cluster. Default: the configuration (`dataplane.runner`, FLEETDECK_INSTALL_RUNNER), else process.
   */
  taskRunner?: RunnerKind;
  /** Tasks this process's scheduler runs at once. Default: the configuration (`dataplane.concurrency`), else 4. */
  concurrency?: number;
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
  const settings = engine.config.dataplane as DataplaneSettings | undefined;
  const runner: RunnerKind = options.taskRunner ?? settings?.runner ?? 'process';
  const concurrency = options.concurrency ?? settings?.concurrency ?? 4;
  const timeouts = options.timeouts;
  const service = new DataplaneService({ db: engine.db, actor: engine.actor, readonly: engine.config.readonly, relay: engine.relay, secrets, runner });
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
          ...(timeouts ? { timeouts } : {}),
          ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        }),
        job: new JobRunner({
          db: engine.db, secrets, kubeFactory,
          ...(settings?.installerImage ? { image: settings.installerImage } : {}),
          ...(timeouts ? { timeouts } : {}), ...(options.pollMs !== undefined ? { stagePollMs: options.pollMs } : {}),
          ...options.job,
        }),
        ...options.runners,
      },
      runner,
      concurrency,
      ...options.scheduler,
    }),
  };
}
