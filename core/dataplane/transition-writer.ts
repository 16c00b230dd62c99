import type { Database } from '../db/database.js';

/** One stage transition of one task: finish stage `donePosition` (if any) and start `nextPosition` (if any). */
export interface Transition {
  taskId: number;
  workerId: string;
  done: { position: number; status: string; detail: string | null; error: string | null; output: string | null } | null;
  nextPosition: number | null;
}

/**
 * Stage transitions of many tasks in one statement. Each task's row is locked first (FOR UPDATE re-checks ownership
 * against its latest version), so a reclaimed task is never written by the worker that lost it; the statement
 * returns the ids it wrote. A task appears at most once per batch (its journal waits for each write).
 */
const TRANSITIONS = `
WITH input AS (
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
    AS i(task_id, worker_id, done_position, done_status, done_detail, done_error, done_output, next_position)
), owner AS (
  SELECT t.id FROM dataplane_install_tasks t JOIN input i ON i.task_id = t.id AND t.worker_id = i.worker_id AND t.status = 'running'
  FOR UPDATE OF t
), done AS (
  UPDATE dataplane_task_stages s SET status = i.done_status, detail = i.done_detail, error_message = i.done_error, output = i.done_output, finished_at = now()
  FROM input i WHERE s.task_id = i.task_id AND s.position = i.done_position AND i.task_id IN (SELECT id FROM owner)
  RETURNING s.task_id, s.name, s.status
), started AS (
  UPDATE dataplane_task_stages s SET status = 'running', attempts = s.attempts + 1, started_at = now(), finished_at = NULL, error_message = NULL, output = NULL
  FROM input i WHERE s.task_id = i.task_id AND s.position = i.next_position AND i.task_id IN (SELECT id FROM owner)
  RETURNING s.task_id, s.name
)
UPDATE dataplane_install_tasks t SET
  stages_completed = CASE WHEN d.status IN ('completed', 'skipped') THEN array_append(array_remove(t.stages_completed, d.name), d.name) ELSE t.stages_completed END,
  current_stage = coalesce(st.name, t.current_stage),
  updated_at = now()
FROM owner o LEFT JOIN done d ON d.task_id = o.id LEFT JOIN started st ON st.task_id = o.id
WHERE t.id = o.id
RETURNING t.id`;

interface Waiting {
  transition: Transition;
  resolve(owned: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for stage transitions: the first transition is written at once; those that arrive while a write is
 * on its way (other tasks of this worker) go together in the next statement. Nobody waits longer than one round
 * trip, and each caller still resumes only after its own transition is committed.
 */
export class TransitionWriter {
  private queue: Waiting[] = [];
  private writing = false;

  constructor(private readonly db: Database) {}

  /** Resolves true when written, false when the task is no longer this worker's. */
  write(transition: Transition): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ transition, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          const owned = await this.writeBatch(batch.map((w) => w.transition));
          for (const waiting of batch) waiting.resolve(owned.has(waiting.transition.taskId));
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeBatch(transitions: readonly Transition[]): Promise<Set<number>> {
    const column = <T>(pick: (t: Transition) => T): T[] => transitions.map(pick);
    const result = await this.db.query<{ id: number | string }>(TRANSITIONS, [
      column((t) => t.taskId), column((t) => t.workerId), column((t) => t.done?.position ?? null), column((t) => t.done?.status ?? null),
      column((t) => t.done?.detail ?? null), column((t) => t.done?.error ?? null), column((t) => t.done?.output ?? null), column((t) => t.nextPosition),
    ]);
    return new Set(result.rows.map((r) => Number(r.id)));
  }
}
