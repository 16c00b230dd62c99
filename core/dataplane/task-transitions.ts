import type { Database } from '../db/database.js';
import type { StageRow, TaskRow } from './rows.js';
import { toStage, toTask } from './rows.js';
import { TASK_COLUMNS } from './task-queries.js';
import type { InstallTask, RunnerKind, StageRecord } from './types.js';

/** A claimed task with its stages, read in the same statement. */
export interface ClaimedTask {
  task: InstallTask;
  stages: StageRecord[];
  /** The stage the claim started (the first one not done), if any. */
  startedStage: number | null;
}

/**
 * Claims the next due task: a pending one whose next_attempt_at has come, or a running one whose worker stopped
 * heartbeating (it died). SKIP LOCKED lets any number of workers claim concurrently without waiting or doubling.
 * One statement: the claim, its history row going to running, the cluster's dataplane_status going to deploying (the
 * seed's "开始 → deploying": when the installer starts, not when the deploy is queued), and the stages to run.
 */
export async function claimNext(db: Database, workerId: string, staleMs: number, runner: RunnerKind = 'process'): Promise<ClaimedTask | null> {
  const result = await db.query<TaskRow & { stage_rows: StageRow[] | string | null }>(
    `WITH claimed AS (
       UPDATE dataplane_install_tasks t SET status = 'running', worker_id = $1, heartbeat_at = now(),
         -- The claiming worker's runner, unless an installer Job may still run this task (it is followed, not replaced);
         -- a failed attempt clears job_name.
         runner = CASE WHEN t.job_name IS NOT NULL THEN t.runner ELSE $3 END,
         started_at = coalesce(started_at, now()), claims = claims + 1, updated_at = now(),
         current_stage = coalesce((SELECT s.name FROM dataplane_task_stages s WHERE s.task_id = t.id AND s.status NOT IN ('completed', 'skipped')
           ORDER BY s.position LIMIT 1), t.current_stage)
       WHERE id = (
         SELECT id FROM dataplane_install_tasks
         WHERE (status = 'pending' AND next_attempt_at <= now())
            OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $2::double precision / 1000))
         ORDER BY next_attempt_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${TASK_COLUMNS}
     ), history AS (
       UPDATE dataplane_release_history SET status = 'running' WHERE id = (SELECT history_id FROM claimed)
     ), cluster AS (
       -- Seed 000: the installer starting is what makes dataplane_status deploying (a queued task leaves it as it was).
       UPDATE dataplane_clusters SET dataplane_status = 'deploying', updated_at = now()
       WHERE id = (SELECT cluster_id FROM claimed) AND dataplane_status <> 'deploying'
     ), first AS (
       -- The claim starts the first stage not done, so the attempt begins without another write.
       UPDATE dataplane_task_stages SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL, error_message = NULL, output = NULL
       WHERE task_id = (SELECT id FROM claimed) AND position = (
         SELECT min(position) FROM dataplane_task_stages WHERE task_id = (SELECT id FROM claimed) AND status NOT IN ('completed', 'skipped'))
     )
     SELECT claimed.*, (
       SELECT json_agg(json_build_object('position', s.position, 'name', s.name, 'status', s.status, 'attempts', s.attempts,
         'detail', s.detail, 'error_message', s.error_message, 'output', s.output, 'started_at', s.started_at, 'finished_at', s.finished_at) ORDER BY s.position)
       FROM dataplane_task_stages s WHERE s.task_id = claimed.id) AS stage_rows
     FROM claimed`, [workerId, staleMs, runner]);
  const row = result.rows[0];
  if (!row) return null;
  const stageRows = typeof row.stage_rows === 'string' ? (JSON.parse(row.stage_rows) as StageRow[]) : (row.stage_rows ?? []);
  // The rows were read before `first` ran: show the started stage as the statement left it.
  const stages = stageRows.map(toStage);
  const first = stages.find((s) => s.status !== 'completed' && s.status !== 'skipped') ?? null;
  if (first) Object.assign(first, { status: 'running', attempts: first.attempts + 1, startedAt: new Date().toISOString(), finishedAt: null, error: null, output: null });
  return { task: toTask(row), stages, startedStage: first?.position ?? null };
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
  /** `last`: the final stage's end, written in the same statement. */
  | { kind: 'completed'; last?: { position: number; name: string; status: string; detail: string; output?: string | null } | null }
  /**
   * Retried after base × 2^retries (capped) while retries are left, else failed; `permanent` (nothing a retry
   * could fix) fails at once. A stage still running (the failure came from outside the stages) is closed as failed.
   */
  | { kind: 'failed'; message: string; backoff: { baseMs: number; maxMs: number }; permanent?: boolean }
  /** Graceful stop: hand the task back untouched so another worker takes it at once. */
  | { kind: 'released' };

export type FinishResult = 'completed' | 'retrying' | 'failed' | 'released' | 'lost';

const FOLLOW = `, history AS (
  UPDATE dataplane_release_history h SET status = t.status, error_message = t.error_message, finished_at = now()
  FROM t WHERE h.id = t.history_id AND t.status IN ('completed', 'failed')
), cluster AS (
  UPDATE dataplane_clusters c SET dataplane_status = CASE t.status WHEN 'completed' THEN 'deployed' ELSE 'failed' END, updated_at = now()
  FROM t WHERE c.id = t.cluster_id AND t.status IN ('completed', 'failed')
)
SELECT * FROM t`;

const OWNED = `id = $1 AND worker_id = $2 AND status = 'running'`;

/**
 * Ends one attempt in one statement, fenced on the worker still owning the task; the release history and the
 * cluster's dataplane_status follow the task in the same statement.
 */
export async function finishAttempt(db: Database, taskId: number, workerId: string, finish: Finish): Promise<{ result: FinishResult; task: InstallTask | null }> {
  let sql: string;
  let params: unknown[];
  if (finish.kind === 'completed') {
    sql = `WITH t AS (UPDATE dataplane_install_tasks SET status = 'completed', current_stage = NULL, error_message = NULL, worker_id = NULL,
             stages_completed = CASE WHEN $3::text IS NULL THEN stages_completed ELSE array_append(array_remove(stages_completed, $3::text), $3::text) END,
             finished_at = now(), updated_at = now() WHERE ${OWNED} RETURNING ${TASK_COLUMNS}
           ), last AS (
             UPDATE dataplane_task_stages SET status = $5, detail = $6, output = $7, finished_at = now()
             WHERE task_id = $1 AND position = $4 AND EXISTS (SELECT 1 FROM t)
           )${FOLLOW}`;
    const last = finish.last ?? null;
    params = [taskId, workerId, last?.name ?? null, last?.position ?? null, last?.status ?? null, last?.detail ?? null, last?.output ?? null];
  } else if (finish.kind === 'released') {
    // The stage it was running goes back to pending: nobody runs it until the next claim starts it again.
    sql = `WITH t AS (UPDATE dataplane_install_tasks SET status = 'pending', worker_id = NULL, heartbeat_at = NULL, next_attempt_at = now(), updated_at = now()
             WHERE ${OWNED} RETURNING ${TASK_COLUMNS}
           ), stage AS (
             UPDATE dataplane_task_stages SET status = 'pending', finished_at = NULL
             WHERE task_id = $1 AND status = 'running' AND EXISTS (SELECT 1 FROM t)
           )${FOLLOW}`;
    params = [taskId, workerId];
  } else {
    // Every right-hand side sees the row as it was, so the retry decision ($6: retries allowed) is consistent.
    const retries = `(retry_count < max_retries AND $6::boolean)`;
    sql = `WITH t AS (UPDATE dataplane_install_tasks SET
             status = CASE WHEN ${retries} THEN 'pending' ELSE 'failed' END,
             worker_id = NULL,
             job_name = NULL,
             heartbeat_at = CASE WHEN ${retries} THEN NULL ELSE heartbeat_at END,
             retry_count = CASE WHEN ${retries} THEN retry_count + 1 ELSE retry_count END,
             error_message = coalesce(current_stage || ': ', '') || $3,
             next_attempt_at = CASE WHEN ${retries}
               THEN now() + make_interval(secs => least($5::double precision, $4::double precision * power(2, retry_count)) / 1000)
               ELSE next_attempt_at END,
             finished_at = CASE WHEN ${retries} THEN finished_at ELSE now() END,
             updated_at = now()
           WHERE ${OWNED} RETURNING ${TASK_COLUMNS}
           ), stage AS (
             -- A failure outside the stages (cluster access, the Job runner) must not leave its stage running.
             UPDATE dataplane_task_stages SET status = 'failed', error_message = $3, finished_at = now()
             WHERE task_id = $1 AND status = 'running' AND EXISTS (SELECT 1 FROM t)
           )${FOLLOW}`;
    params = [taskId, workerId, finish.message, finish.backoff.baseMs, finish.backoff.maxMs, !finish.permanent];
  }
  const row = (await db.query<TaskRow>(sql, params)).rows[0];
  if (!row) return { result: 'lost', task: null };
  const task = toTask(row);
  const result: FinishResult = finish.kind === 'completed' ? 'completed' : finish.kind === 'released' ? 'released' : task.status === 'failed' ? 'failed' : 'retrying';
  return { result, task };
}
