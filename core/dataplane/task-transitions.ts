import type { Database } from '../db/database.js';
import type { TaskRow } from './rows.js';
import { toTask } from './rows.js';
import { TASK_COLUMNS } from './task-queries.js';
import type { InstallTask } from './types.js';

/**
 * Claims the next due task: a pending one whose next_attempt_at has come, or a running one whose worker stopped
 * heartbeating (it died). SKIP LOCKED lets any number of workers claim concurrently without waiting or doubling.
 */
export async function claimNext(db: Database, workerId: string, staleMs: number): Promise<InstallTask | null> {
  return db.transaction(async (tx) => {
    const result = await tx.query<TaskRow>(
      `UPDATE dataplane_install_tasks SET status = 'running', worker_id = $1, heartbeat_at = now(),
         started_at = coalesce(started_at, now()), claims = claims + 1, updated_at = now()
       WHERE id = (
         SELECT id FROM dataplane_install_tasks
         WHERE (status = 'pending' AND next_attempt_at <= now())
            OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $2::double precision / 1000))
         ORDER BY next_attempt_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${TASK_COLUMNS}`, [workerId, staleMs]);
    const row = result.rows[0];
    if (!row) return null;
    await tx.query(`UPDATE dataplane_release_history SET status = 'running' WHERE id = $1`, [row.history_id]);
    return toTask(row);
  });
}

/** Milliseconds until something may become claimable (a retry's backoff ends, a heartbeat goes stale). */
export async function msUntilNextDue(db: Database, staleMs: number): Promise<number | null> {
  const result = await db.query<{ ms: number | string | null }>(
    `SELECT EXTRACT(EPOCH FROM (least(
        (SELECT min(next_attempt_at) FROM dataplane_install_tasks WHERE status = 'pending'),
        (SELECT min(heartbeat_at) + make_interval(secs => $1::double precision / 1000) FROM dataplane_install_tasks WHERE status = 'running')
      ) - now())) * 1000 AS ms`, [staleMs]);
  const ms = result.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
}

/** Extends the lease of this worker's tasks; returns the ids it still owns. */
export async function heartbeat(db: Database, workerId: string, taskIds: readonly number[]): Promise<Set<number>> {
  if (taskIds.length === 0) return new Set();
  const result = await db.query<{ id: number | string }>(
    `UPDATE dataplane_install_tasks SET heartbeat_at = now() WHERE id = ANY($1::bigint[]) AND worker_id = $2 AND status = 'running' RETURNING id`,
    [taskIds, workerId]);
  return new Set(result.rows.map((r) => Number(r.id)));
}

export type Finish =
  | { kind: 'completed' }
  | { kind: 'failed'; message: string; backoffMs: (retryCount: number) => number }
  /** Graceful stop: hand the task back untouched so another worker takes it at once. */
  | { kind: 'released' };

export type FinishResult = 'completed' | 'retrying' | 'failed' | 'released' | 'lost';

/** Ends one attempt. Fenced on the worker still owning the task; cluster status and history follow the task. */
export async function finishAttempt(db: Database, taskId: number, workerId: string, finish: Finish): Promise<{ result: FinishResult; task: InstallTask | null }> {
  return db.transaction(async (tx) => {
    const owned = await tx.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM dataplane_install_tasks WHERE id = $1 AND worker_id = $2 AND status = 'running' FOR UPDATE`, [taskId, workerId]);
    const row = owned.rows[0];
    if (!row) return { result: 'lost' as const, task: null };
    let result: FinishResult;
    let updated: TaskRow | undefined;
    if (finish.kind === 'completed') {
      updated = (await tx.query<TaskRow>(
        `UPDATE dataplane_install_tasks SET status = 'completed', current_stage = NULL, error_message = NULL, worker_id = NULL,
           finished_at = now(), updated_at = now() WHERE id = $1 RETURNING ${TASK_COLUMNS}`, [taskId])).rows[0];
      await tx.query(`UPDATE dataplane_release_history SET status = 'completed', finished_at = now() WHERE id = $1`, [row.history_id]);
      await tx.query(`UPDATE dataplane_clusters SET dataplane_status = 'deployed', updated_at = now() WHERE id = $1`, [row.cluster_id]);
      result = 'completed';
    } else if (finish.kind === 'released') {
      updated = (await tx.query<TaskRow>(
        `UPDATE dataplane_install_tasks SET status = 'pending', worker_id = NULL, heartbeat_at = NULL, next_attempt_at = now(), updated_at = now()
         WHERE id = $1 RETURNING ${TASK_COLUMNS}`, [taskId])).rows[0];
      result = 'released';
    } else if (row.retry_count < row.max_retries) {
      updated = (await tx.query<TaskRow>(
        `UPDATE dataplane_install_tasks SET status = 'pending', worker_id = NULL, heartbeat_at = NULL, retry_count = retry_count + 1,
           error_message = coalesce(current_stage || ': ', '') || $2,
           next_attempt_at = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
         WHERE id = $1 RETURNING ${TASK_COLUMNS}`, [taskId, finish.message, finish.backoffMs(row.retry_count)])).rows[0];
      result = 'retrying';
    } else {
      updated = (await tx.query<TaskRow>(
        `UPDATE dataplane_install_tasks SET status = 'failed', worker_id = NULL, error_message = coalesce(current_stage || ': ', '') || $2,
           finished_at = now(), updated_at = now() WHERE id = $1 RETURNING ${TASK_COLUMNS}`, [taskId, finish.message])).rows[0];
      await tx.query(`UPDATE dataplane_release_history SET status = 'failed', error_message = $2, finished_at = now() WHERE id = $1`,
        [row.history_id, updated?.error_message ?? finish.message]);
      await tx.query(`UPDATE dataplane_clusters SET dataplane_status = 'failed', updated_at = now() WHERE id = $1`, [row.cluster_id]);
      result = 'failed';
    }
    return { result, task: updated ? toTask(updated) : null };
  });
}
