import type { Database } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { FleetError } from '../errors.js';
import type { StageOutcome } from './stage-env.js';
import { stagesOf } from './task-queries.js';
import { TransitionWriter } from './transition-writer.js';
import type { StageRecord } from './types.js';

/** Thrown when the task was reclaimed by another worker: this worker must stop touching it. */
export class LostTaskError extends FleetError {
  constructor(taskId: number) {
    super('CONFLICT', `install task ${taskId} was taken over by another worker`, 'Nothing to do: the other worker carries on.');
    this.name = 'LostTaskError';
  }
}

export interface TaskJournalOptions {
  /** The stages as the claim read them; saves the first read. */
  stages?: StageRecord[];
  /** The claim already started this stage (position): the runner goes straight to running it. */
  startedByClaim?: number | null;
  /** The last stage's end is written with the attempt's end (by the scheduler), saving a write and an event. */
  deferLast?: boolean;
  /**
   * Events closer together than this are coalesced (default 200 ms): the first goes out at once, later ones within the
   * window become one event at its end, and the attempt's end event replaces a pending one. Events only say "re-read
   * this cluster", so consumers still see every state they can render; stages that take seconds still get one each.
   */
  coalesceMs?: number;
  /** Shared by the journals of one worker, so their transitions are written together (group commit). */
  writer?: TransitionWriter;
}

export interface DeferredStage {
  position: number;
  name: string;
  outcome: StageOutcome;
}

/** Where runStages records progress: the task journal in the database, or (in an installer Job) the progress ConfigMap. */
export interface StageJournal {
  readonly startedByClaim: number | null;
  readonly defersLast: boolean;
  stages(): Promise<StageRecord[]>;
  started(stage: StageRecord): Promise<void>;
  finished(stage: StageRecord, outcome: StageOutcome): Promise<void>;
  advance(stage: StageRecord, outcome: StageOutcome, next: StageRecord | null): Promise<void>;
  failed(stage: StageRecord, message: string, output?: string | null): Promise<void>;
  deferLast(stage: StageRecord, outcome: StageOutcome): void;
}

/**
 * Persists a task's stage progress. Every write is one statement fenced on this worker still owning the task;
 * `advance` finishes a stage and starts the next together. Events are coalesced (see TaskJournalOptions.coalesceMs).
 */
export class TaskJournal implements StageJournal {
  private cached: StageRecord[] | null;
  readonly startedByClaim: number | null;
  readonly defersLast: boolean;
  private deferred: DeferredStage | null = null;
  private readonly coalesceMs: number;
  private lastPublishedAt = 0;
  private pendingEvent: Record<string, unknown> | null = null;
  private pendingTimer: NodeJS.Timeout | null = null;
  private readonly writer: TransitionWriter;

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
    this.coalesceMs = options.coalesceMs ?? 200;
    this.writer = options.writer ?? new TransitionWriter(db);
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
    await this.transition({ stage, status: outcome.status, detail: outcome.detail, error: null, output: outcome.output ?? null }, next);
    await this.publish({ stage: stage.name, status: outcome.status, detail: outcome.detail, ...(next ? { next: next.name } : {}) });
  }

  async failed(stage: StageRecord, message: string, output: string | null = null): Promise<void> {
    await this.transition({ stage, status: 'failed', detail: null, error: message, output }, null);
    await this.publish({ stage: stage.name, status: 'failed', error: message });
  }

  /** Marks stages done by someone else (the installer Job) without running them here. */
  async reported(stage: StageRecord, detail: string): Promise<void> {
    await this.advance(stage, { status: 'completed', detail }, null);
  }

  /** The installer Job pod's log tail, for `l` in the cockpit. */
  async setJobLog(log: string): Promise<void> {
    const updated = await this.db.query(
      `UPDATE dataplane_install_tasks SET job_log = $3, updated_at = now() WHERE id = $1 AND worker_id = $2 AND status = 'running'`,
      [this.taskId, this.workerId, log]);
    if (updated.rowCount === 0) throw new LostTaskError(this.taskId);
    await this.publish({ jobLog: true });
  }

  async setJobName(jobName: string): Promise<void> {
    const updated = await this.db.query(
      `UPDATE dataplane_install_tasks SET job_name = $3, updated_at = now() WHERE id = $1 AND worker_id = $2 AND status = 'running'`,
      [this.taskId, this.workerId, jobName]);
    if (updated.rowCount === 0) throw new LostTaskError(this.taskId);
    await this.publish({ job: jobName });
  }

  private async transition(done: { stage: StageRecord; status: string; detail: string | null; error: string | null; output: string | null } | null,
    next: StageRecord | null): Promise<void> {
    const owned = await this.writer.write({
      taskId: this.taskId, workerId: this.workerId, nextPosition: next?.position ?? null,
      done: done && { position: done.stage.position, status: done.status, detail: done.detail, error: done.error, output: done.output },
    });
    if (!owned) throw new LostTaskError(this.taskId);
  }

  /** An event for this task, coalesced with its neighbours; never throws (the write it reports is committed). */
  publish(data: Record<string, unknown>): Promise<void> {
    const now = Date.now();
    if (this.pendingTimer === null && now - this.lastPublishedAt >= this.coalesceMs) {
      this.lastPublishedAt = now;
      return this.send(data);
    }
    this.pendingEvent = { ...this.pendingEvent, ...data };
    this.pendingTimer ??= setTimeout(() => {
      this.pendingTimer = null;
      const event = this.pendingEvent;
      this.pendingEvent = null;
      this.lastPublishedAt = Date.now();
      if (event) void this.send(event);
    }, Math.max(0, this.coalesceMs - (now - this.lastPublishedAt)));
    return Promise.resolve();
  }

  /** Drops a coalesced event still waiting: the attempt's end event (published next) makes consumers re-read anyway. */
  settle(): void {
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    this.pendingEvent = null;
  }

  private send(data: Record<string, unknown>): Promise<void> {
    return this.relay.publish({ topic: 'installs', type: 'task.stage', target: this.clusterName, data: { taskId: this.taskId, workerId: this.workerId, ...data } })
      .catch(() => undefined);
  }
}

/** Runs the not-yet-done stages in order, one write per transition; `run` returns each stage's outcome. */
export async function runStages(
  journal: StageJournal,
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
