import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Database } from '../db/database.js';
import { asFleetError } from '../errors.js';
import type { KubeFactory } from './cluster-access.js';
import { defaultKubeFactory, loadClusterRowById, openClusterAccess } from './cluster-access.js';
import type { HelmClient } from './helm-client.js';
import type { InstallRunner } from './runner.js';
import type { StageEnv, StageTimeouts } from './stage-env.js';
import { DEFAULT_TIMEOUTS } from './stage-env.js';
import type { StageName } from './stage-plan.js';
import { STAGES } from './stages.js';
import type { SecretBox } from './secret-box.js';
import type { TaskJournal } from './task-journal.js';
import { runStages } from './task-journal.js';
import type { InstallTask } from './types.js';

export interface ProcessRunnerOptions {
  db: Database;
  helm: HelmClient;
  secrets: SecretBox | null;
  kubeFactory?: KubeFactory;
  clock?: Clock;
  timeouts?: StageTimeouts;
  pollMs?: number;
}

/** Runs the stages in this process: helm through execa from the jumpbox, kube through client-node. */
export class ProcessRunner implements InstallRunner {
  readonly kind = 'process' as const;

  constructor(private readonly options: ProcessRunnerOptions) {}

  async run(task: InstallTask, journal: TaskJournal, signal: AbortSignal): Promise<void> {
    const row = await loadClusterRowById(this.options.db, task.clusterId);
    const access = await openClusterAccess(row, task.storageMode, this.options.secrets, this.options.kubeFactory ?? defaultKubeFactory);
    try {
      const env: StageEnv = {
        cluster: access.cluster, helm: this.options.helm, helmTarget: access.helmTarget, kube: access.kube,
        clock: this.options.clock ?? systemClock, timeouts: this.options.timeouts ?? DEFAULT_TIMEOUTS,
        pollMs: this.options.pollMs ?? 2000, signal,
      };
      await runStages(journal, (stage) => STAGES[stage.name as StageName](env, stage.name as StageName), async (stage, error) => {
        if (!signal.aborted) await journal.failed(stage, `${stage.name}: ${asFleetError(error).message}`);
      }, signal);
    } finally {
      access.release();
    }
  }
}
