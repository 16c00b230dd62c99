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
import { outputTail, redact } from './redact.js';
import type { StageJournal, TaskJournal } from './task-journal.js';
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
      const base: Omit<StageEnv, 'note'> = {
        cluster: access.cluster, helm: this.options.helm, helmTarget: access.helmTarget, kube: access.kube,
        clock: this.options.clock ?? systemClock, timeouts: this.options.timeouts ?? DEFAULT_TIMEOUTS,
        pollMs: this.options.pollMs ?? 2000, signal,
      };
      await runStagesWithOutput(journal, base, signal);
    } finally {
      access.release();
    }
  }
}

/**
 * Runs the task's remaining stages with `env`, keeping each stage's installer output (redacted: storage secret
 * values and credential-looking text) for the journal, on success and on failure alike.
 */
export async function runStagesWithOutput(journal: StageJournal, base: Omit<StageEnv, 'note'>, signal: AbortSignal): Promise<void> {
  const known = Object.values(base.cluster.storageSecrets);
  const outputs = new Map<number, string[]>();
  const tail = (position: number, extra?: unknown): string | null => {
    const lines = [...(outputs.get(position) ?? []), ...(typeof extra === 'string' ? [extra] : [])];
    const text = outputTail(lines.join('\n'), 40, 4000, known);
    return text || null;
  };
  await runStages(journal, async (stage) => {
    const lines: string[] = [];
    outputs.set(stage.position, lines);
    const outcome = await STAGES[stage.name as StageName]({ ...base, note: (text) => lines.push(text) }, stage.name as StageName);
    return { ...outcome, output: tail(stage.position) };
  }, async (stage, error) => {
    if (signal.aborted) return;
    const fleet = asFleetError(error);
    await journal.failed(stage, `${stage.name}: ${redact(fleet.message, known)}`, tail(stage.position, fleet.details['output']));
  }, signal);
}
