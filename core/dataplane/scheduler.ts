import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { asFleetError } from '../errors.js';
import { isPermanentFailure } from './cluster-access.js';
import type { InstallRunner } from './runner.js';
import { LostTaskError, TaskJournal } from './task-journal.js';
import { TransitionWriter } from './transition-writer.js';
import { claimNext, finishAttempt, heartbeat, msUntilNextDue } from './task-transitions.js';
import type { ClaimedTask } from './task-transitions.js';
import type { InstallTask, RunnerKind } from './types.js';
import { WAKE_CHANNEL } from './types.js';

export interface SchedulerOptions {
  db: Database;
  relay: EventRelay;
  runners: Partial<Record<RunnerKind, InstallRunner>>;
  workerId?: string;
  /** How this worker runs the tasks it claims (default process); a task whose installer Job exists stays a Job. */
  runner?: RunnerKind;
  /** Tasks run at once by this worker (default 4). */
  concurrency?: number;
  /** Fallback re-check when no NOTIFY arrives (default 5 s). */
  pollMs?: number;
  heartbeatMs?: number;
  /** A running task whose heartbeat is older than this is reclaimed (default 30 s). */
  staleMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** false: no LISTEN, polling only (the seed's behaviour; benchmark baseline). Default true. */
  listen?: boolean;
  /** Stage events of a task closer together than this are coalesced (default 200 ms; 0: one event per transition). */
  coalesceEventsMs?: number;
  /** Write the stage transitions of this worker's tasks together when they coincide (default true). */
  groupTransitions?: boolean;
  /** Called with every claimed task id (benchmarks count double claims with it). */
  onClaim?: (task: InstallTask) => void;
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * The install scheduler: claims due tasks with FOR UPDATE SKIP LOCKED, woken by NOTIFY on WAKE_CHANNEL (polling
 * only as a fallback), heartbeats the tasks it runs, and ends each attempt as completed, retrying (exponential
 * backoff) or failed. A stopped worker hands its tasks back; a dead one's tasks are reclaimed when stale.
 */
export class InstallScheduler {
  readonly workerId: string;
  private readonly inFlight = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** This worker's stage transitions, written together when they coincide. */
  private readonly writer: TransitionWriter;

  constructor(private readonly options: SchedulerOptions) {
    this.workerId = options.workerId ?? defaultWorkerId();
    this.writer = new TransitionWriter(options.db);
  }

  get runner(): RunnerKind {
    return this.options.runner ?? 'process';
  }

  get concurrency(): number {
    return this.options.concurrency ?? 4;
  }

  private get staleMs(): number {
    return this.options.staleMs ?? 30_000;
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    if (this.options.listen !== false) this.unlisten = await this.options.db.listen(WAKE_CHANNEL, () => this.kick());
    const beatMs = this.options.heartbeatMs ?? Math.max(200, Math.floor(this.staleMs / 3));
    this.heartbeatTimer = setInterval(() => void this.beat(), beatMs);
    this.loop = this.run();
  }

  /** Stops claiming; running tasks are aborted and handed back as pending. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.kick();
    for (const { controller } of this.inFlight.values()) controller.abort(new Error('worker stopping'));
    await this.loop;
    await Promise.all([...this.inFlight.values()].map((t) => t.done));
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.unlisten?.().catch(() => undefined);
    this.loop = null;
    this.unlisten = null;
    this.heartbeatTimer = null;
  }

  /** Wakes the loop now (a NOTIFY arrived, or a slot became free). */
  kick(): void {
    this.woken = true;
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  private async run(): Promise<void> {
    const concurrency = this.concurrency;
    while (!this.stopping) {
      this.woken = false;
      try {
        while (!this.stopping && this.inFlight.size < concurrency) {
          const claimed = await claimNext(this.options.db, this.workerId, this.staleMs, this.runner);
          if (!claimed) break;
          this.options.onClaim?.(claimed.task);
          this.launch(claimed);
        }
      } catch {
        // The database is unreachable for a moment: the next poll tries again.
      }
      if (this.stopping) break;
      let waitMs = this.options.pollMs ?? 5000;
      if (this.inFlight.size < concurrency) {
        const due = await msUntilNextDue(this.options.db, this.staleMs).catch(() => null);
        if (due !== null) waitMs = Math.min(waitMs, due + 5);
      }
      await this.sleep(waitMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private launch(claimed: ClaimedTask): void {
    const { task } = claimed;
    const controller = new AbortController();
    const done = this.execute(claimed, controller).finally(() => {
      this.inFlight.delete(task.id);
      this.kick();
    });
    this.inFlight.set(task.id, { controller, done });
  }

  /**
   * One attempt. Events: the claim's (the first stage running), the journal's stage transitions (coalesced when they
   * come within milliseconds of each other), then one for the attempt's end.
   */
  private async execute({ task, stages, startedStage }: ClaimedTask, controller: AbortController): Promise<void> {
    const { db, relay } = this.options;
    const publish = (type: string, data: Record<string, unknown>): Promise<void> =>
      relay.publish({ topic: 'installs', type, target: task.clusterName, data: { taskId: task.id, ...data } });
    const runner = this.options.runners[task.runner];
    const journal = new TaskJournal(db, relay, task.id, task.clusterName, this.workerId, {
      stages, startedByClaim: startedStage, deferLast: true,
      ...(this.options.groupTransitions === false ? {} : { writer: this.writer }),
      ...(this.options.coalesceEventsMs === undefined ? {} : { coalesceMs: this.options.coalesceEventsMs }),
    });
    const first = stages.find((s) => s.position === startedStage);
    // The claim started the first stage and made the cluster deploying: this is that transition's event (the journal's
    // first, so never delayed).
    await journal.publish({ attempt: task.retryCount + 1, dataplaneStatus: 'deploying', ...(first ? { stage: first.name, status: 'running' } : {}) });
    let outcome: Parameters<typeof finishAttempt>[3];
    try {
      if (!runner) throw new Error(`this worker has no ${task.runner} runner`);
      await runner.run(task, journal, controller.signal);
      const last = journal.deferredLast;
      outcome = { kind: 'completed', last: last && { position: last.position, name: last.name, status: last.outcome.status, detail: last.outcome.detail, output: last.outcome.output ?? null } };
    } catch (error) {
      if (error instanceof LostTaskError || (controller.signal.aborted && controller.signal.reason instanceof LostTaskError)) {
        journal.settle();
        return;
      }
      outcome = this.stopping && controller.signal.aborted
        ? { kind: 'released' }
        : {
            kind: 'failed', message: asFleetError(error).message, permanent: isPermanentFailure(error),
            backoff: { baseMs: this.options.backoffBaseMs ?? 5000, maxMs: this.options.backoffMaxMs ?? 300_000 },
          };
    }
    try {
      const { result, task: after } = await finishAttempt(db, task.id, this.workerId, outcome);
      journal.settle();
      if (result === 'lost') return;
      await publish(`task.${result}`, {
        status: after?.status, retryCount: after?.retryCount, error: after?.errorMessage ?? null,
        ...(result === 'retrying' ? { nextAttemptAt: after?.nextAttemptAt } : {}),
        ...(result === 'completed' && journal.deferredLast ? { stage: journal.deferredLast.name, stageStatus: journal.deferredLast.outcome.status } : {}),
        dataplaneStatus: result === 'completed' ? 'deployed' : result === 'failed' ? 'failed' : 'deploying',
      }).catch(() => undefined);
    } catch {
      // The attempt's end could not be written: the heartbeat stops, and the task is reclaimed when stale.
    }
  }

  private async beat(): Promise<void> {
    const ids = [...this.inFlight.keys()];
    if (ids.length === 0) return;
    let owned: Set<number>;
    try {
      owned = await heartbeat(this.options.db, this.workerId, ids);
    } catch {
      return;
    }
    for (const id of ids) {
      if (!owned.has(id)) this.inFlight.get(id)?.controller.abort(new LostTaskError(id));
    }
  }
}
