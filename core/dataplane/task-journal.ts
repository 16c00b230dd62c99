import type { Database } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { FleetError } from '../errors.js';
import type { StageOutcome } from './stage-env.js';
import { stagesOf } from './task-queries.js';
import type { StageRecord } from './types.js';

/** Thrown when the task was reclaimed by another worker: this worker must stop touching it. */
export class LostTaskError extends FleetError {
  constructor(taskId: number) {
    super('CONFLICT', `install task ${taskId} was taken over by another worker`, 'Nothing to do: the other worker carries on.');
    this.name = 'LostTaskError';
  }
}

/**
 * One stage transition in one statement (no BEGIN/COMMIT round trips): finish stage $3 with $4/$5, start stage $6,
 * and move the task's current stage and completed list along. The task row is locked first (FOR UPDATE re-checks
 * ownership against its latest version), so a reclaimed task is never written by the worker that lost it.
 */
const TRANSITION = `
WITH owner AS (
  SELECT id FROM dataplane_install_tasks WHERE id = $1 AND worker_id = $2 AND status = 'running' FOR UPDATE
), done AS (
  UPDATE dataplane_task_stages SET status = $4, detail = $5, error_message = $7, finished_at = now()
  WHERE task_id = $1 AND position = $3 AND EXISTS (SELECT 1 FROM owner)
  RETURNING name, status
), started AS (
  UPDATE dataplane_task_stages SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL, error_message = NULL
  WHERE task_id = $1 AND position = $6 AND EXISTS (SELECT 1 FROM owner)
  RETURNING name
)
UPDATE dataplane_install_tasks t SET
  stages_completed = CASE WHEN (SELECT status FROM done) IN ('completed', 'skipped')
    THEN array_append(array_remove(t.stages_completed, (SELECT name FROM done)), (SELECT name FROM done)) ELSE t.stages_completed END,
  current_stage = coalesce((SELECT name FROM started), t.current_stage),
  updated_at = now()
WHERE t.id = (SELECT id FROM owner)
RETURNING t.id`;

export interface TaskJournalOptions {
  /** The stages as the claim read them; saves the first read. */
  stages?: StageRecord[];
  /** The claim already started this stage (position): the runner goes straight to running it. */
  startedByClaim?: number | null;
  /** The last stage's end is written with the attempt's end (by the scheduler), saving a write and an event. */
  deferLast?: boolean;
}

export interface DeferredStage {
  position: number;
  name: string;
  outcome: StageOutcome;
}

/**
 * Persists a task's stage progress. Every write is one statement fenced on this worker still owning the task, and
 * every transition is one event: `advance` finishes a stage and starts the next together.
 */
export class TaskJournal {
  private cached: StageRecord[] | null;
  readonly startedByClaim: number | null;
  readonly defersLast: boolean;
  private deferred: DeferredStage | null = null;

  constructor(
    private readonly db: Database,
    private readonly relay: EventRelay,
    readonly taskId: number,
    readonly clusterName: string,
    readonly workerId: string,
    options: TaskJournalOptions = {},
  ) {
    this.cached = options.stages ?? null;
    this.startedByClaim = options.startedByClaim ?? null;
    this.defersLast = options.deferLast ?? false;
  }

  /** Holds the last stage's end for the attempt's final write. */
  deferLast(stage: StageRecord, outcome: StageOutcome): void {
    this.deferred = { position: stage.position, name: stage.name, outcome };
  }

  /** The last stage's end, if it waits for the attempt's final write. */
  get deferredLast(): DeferredStage | null {
    return this.deferred;
  }

  async stages(): Promise<StageRecord[]> {
    const cached = this.cached;
    this.cached = null;
    return cached ?? stagesOf(this.db, this.taskId);
  }

  async started(stage: StageRecord): Promise<void> {
    await this.transition(null, stage);
    await this.publish({ stage: stage.name, status: 'running' });
  }

  async finished(stage: StageRecord, outcome: StageOutcome): Promise<void> {
    await this.advance(stage, outcome, null);
  }

  /** Finishes `stage` and starts `next` (if any) in one write and one event. */
  async advance(stage: StageRecord, outcome: StageOutcome, next: StageRecord | null): Promise<void> {
    await this.transition({ stage, status: outcome.status, detail: outcome.detail, error: null }, next);
    await this.publish({ stage: stage.name, status: outcome.status, detail: outcome.detail, ...(next ? { next: next.name } : {}) });
  }

  async failed(stage: StageRecord, message: string): Promise<void> {
    await this.transition({ stage, status: 'failed', detail: null, error: message }, null);
    await this.publish({ stage: stage.name, status: 'failed', error: message });
  }

  /** Marks stages done by someone else (the installer Job) without running them here. */
  async reported(stage: StageRecord, detail: string): Promise<void> {
    await this.advance(stage, { status: 'completed', detail }, null);
  }

  async setJobName(jobName: string): Promise<void> {
    const updated = await this.db.query(
      `UPDATE dataplane_install_tasks SET job_name = $3, updated_at = now() WHERE id = $1 AND worker_id = $2 AND status = 'running'`,
      [this.taskId, this.workerId, jobName]);
    if (updated.rowCount === 0) throw new LostTaskError(this.taskId);
    await this.publish({ job: jobName });
  }

  private async transition(done: { stage: StageRecord; status: string; detail: string | null; error: string | null } | null, next: StageRecord | null): Promise<void> {
    const result = await this.db.query(TRANSITION, [
      this.taskId, this.workerId, done?.stage.position ?? null, done?.status ?? null, done?.detail ?? null, next?.position ?? null, done?.error ?? null,
    ]);
    if (result.rowCount === 0) throw new LostTaskError(this.taskId);
  }

  private publish(data: Record<string, unknown>): Promise<void> {
    return this.relay.publish({ topic: 'installs', type: 'task.stage', target: this.clusterName, data: { taskId: this.taskId, workerId: this.workerId, ...data } });
  }
}

/** Runs the not-yet-done stages in order, one write per transition; `run` returns each stage's outcome. */
export async function runStages(
  journal: TaskJournal,
  run: (stage: StageRecord) => Promise<StageOutcome>,
  onError: (stage: StageRecord, error: unknown) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const todo = (await journal.stages()).filter((s) => s.status !== 'completed' && s.status !== 'skipped');
  if (todo.length === 0) return;
  signal?.throwIfAborted();
  if (journal.startedByClaim !== todo[0]!.position) await journal.started(todo[0]!);
  for (let i = 0; i < todo.length; i += 1) {
    const stage = todo[i]!;
    let outcome: StageOutcome;
    try {
      outcome = await run(stage);
    } catch (error) {
      await onError(stage, error);
      throw error;
    }
    const next = todo[i + 1] ?? null;
    if (!next && journal.defersLast) {
      journal.deferLast(stage, outcome);
      return;
    }
    if (next && signal?.aborted) {
      // Stopping: record this stage, but do not start the next one.
      await journal.finished(stage, outcome);
      signal.throwIfAborted();
    }
    await journal.advance(stage, outcome, next);
  }
}
