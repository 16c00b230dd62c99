import type { Queryable } from '../db/database.js';
import type { HistoryRow, StageRow, TaskRow } from './rows.js';
import { toHistory, toStage, toTask } from './rows.js';
import type { InstallTask, ReleaseHistory, StageRecord } from './types.js';

export const TASK_COLUMNS = `id, cluster_id, cluster_name, history_id, storage_mode, runner, status, current_stage, stages_completed,
  error_message, retry_count, max_retries, job_name, job_log, worker_id, heartbeat_at, next_attempt_at, claims, created_at, started_at, finished_at`;

export async function activeTaskFor(db: Queryable, clusterId: number): Promise<InstallTask | null> {
  const result = await db.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM dataplane_install_tasks WHERE cluster_id = $1 AND status IN ('pending', 'running')`, [clusterId]);
  return result.rows[0] ? toTask(result.rows[0]) : null;
}

export async function latestTaskFor(db: Queryable, clusterId: number): Promise<InstallTask | null> {
  const result = await db.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM dataplane_install_tasks WHERE cluster_id = $1 ORDER BY id DESC LIMIT 1`, [clusterId]);
  return result.rows[0] ? toTask(result.rows[0]) : null;
}

export async function getTask(db: Queryable, taskId: number): Promise<InstallTask | null> {
  const result = await db.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM dataplane_install_tasks WHERE id = $1`, [taskId]);
  return result.rows[0] ? toTask(result.rows[0]) : null;
}

export async function stagesOf(db: Queryable, taskId: number): Promise<StageRecord[]> {
  const result = await db.query<StageRow>(
    `SELECT position, name, status, attempts, detail, error_message, output, started_at, finished_at
     FROM dataplane_task_stages WHERE task_id = $1 ORDER BY position`, [taskId]);
  return result.rows.map(toStage);
}

export async function historyOf(db: Queryable, clusterId: number, limit = 10): Promise<ReleaseHistory[]> {
  const result = await db.query<HistoryRow>(
    `SELECT id, cluster_name, action, storage_mode, status, triggered_by, error_message, created_at, finished_at
     FROM dataplane_release_history WHERE cluster_id = $1 ORDER BY id DESC LIMIT $2`, [clusterId, limit]);
  return result.rows.map(toHistory);
}

export async function insertStages(db: Queryable, taskId: number, names: readonly string[]): Promise<void> {
  await db.query(
    `INSERT INTO dataplane_task_stages (task_id, position, name)
     SELECT $1, s.position::int, s.name FROM unnest($2::text[]) WITH ORDINALITY AS s(name, position)`,
    [taskId, names]);
}

/** The newest task of every cluster (one statement for the whole list). */
export async function latestTasks(db: Queryable): Promise<Map<number, InstallTask>> {
  const result = await db.query<TaskRow>(
    `SELECT DISTINCT ON (cluster_id) ${TASK_COLUMNS} FROM dataplane_install_tasks ORDER BY cluster_id, id DESC`);
  return new Map(result.rows.map((row) => [Number(row.cluster_id), toTask(row)]));
}

/** The stages of many tasks, without their output (lists stay small). */
export async function stagesOfTasks(db: Queryable, taskIds: readonly number[]): Promise<Map<number, StageRecord[]>> {
  const byTask = new Map<number, StageRecord[]>();
  if (taskIds.length === 0) return byTask;
  const result = await db.query<StageRow & { task_id: number | string }>(
    `SELECT task_id, position, name, status, attempts, detail, error_message, started_at, finished_at
     FROM dataplane_task_stages WHERE task_id = ANY($1::bigint[]) ORDER BY task_id, position`, [taskIds]);
  for (const row of result.rows) {
    const id = Number(row.task_id);
    byTask.set(id, [...(byTask.get(id) ?? []), toStage(row)]);
  }
  return byTask;
}
