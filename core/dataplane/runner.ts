import type { TaskJournal } from './task-journal.js';
import { runStages } from './task-journal.js';
import type { InstallTask, RunnerKind } from './types.js';

/**
 * Runs a claimed task's stages to the end, resuming at the first stage not completed, and persisting each stage
 * through the journal. Throws on failure (the scheduler decides between retry and failed).
 */
export interface InstallRunner {
  readonly kind: RunnerKind;
  run(task: InstallTask, journal: TaskJournal, signal: AbortSignal): Promise<void>;
}

/** Runs nothing: every remaining stage is marked completed (benchmarks of the scheduler itself). */
export class NoopRunner implements InstallRunner {
  readonly kind = 'process' as const;

  async run(_task: InstallTask, journal: TaskJournal): Promise<void> {
    await runStages(journal, async () => ({ status: 'completed', detail: 'no-op' }), async () => undefined);
  }
}
