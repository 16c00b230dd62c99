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

const OWNED = `EXISTS (SELECT 1 FROM dataplane_install_tasks t WHERE t.id = $1 AND t.worker_id = $2 AND t.status = 'running')`;

/** Persists a task's stage progress. Every write is fenced on this worker still owning the task. */
export class TaskJournal {
  constructor(
    private readonly db: Database,
    private readonly relay: EventRelay,
    readonly taskId: number,
    readonly clusterName: string,
    readonly workerId: string,
  ) {}

  stages(): Promise<StageRecord[]> {
    return stagesOf(this.db, this.taskId);
  }

  async started(stage: StageRecord): Promise<void> {
    await this.write(async (tx) => {
      const updated = await tx.query(
        `UPDATE dataplane_task_stages SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL, error_message = NULL
         WHERE task_id = $1 AND position = $3 AND ${OWNED}`, [this.taskId, this.workerId, stage.position]);
      if (updated.rowCount === 0) return false;
      await tx.query(`UPDATE dataplane_install_tasks SET current_stage = $2, updated_at = now() WHERE id = $1`, [this.taskId, stage.name]);
      return true;
    });
    await this.publish('task.stage', { stage: stage.name, status: 'running' });
  }

  async finished(stage: StageRecord, outcome: StageOutcome): Promise<void> {
    await this.write(async (tx) => {
      const updated = await tx.query(
        `UPDATE dataplane_task_stages SET status = $4, detail = $5, finished_at = now()
         WHERE task_id = $1 AND position = $3 AND ${OWNED}`, [this.taskId, this.workerId, stage.position, outcome.status, outcome.detail]);
      if (updated.rowCount === 0) return false;
      await tx.query(
        `UPDATE dataplane_install_tasks SET stages_completed = array_append(array_remove(stages_completed, $2::text), $2::text), updated_at = now()
         WHERE id = $1`, [this.taskId, stage.name]);
      return true;
    });
    await this.publish('task.stage', { stage: stage.name, status: outcome.status, detail: outcome.detail });
  }

  async failed(stage: StageRecord, message: string): Promise<void> {
    await this.write(async (tx) => {
      const updated = await tx.query(
        `UPDATE dataplane_task_stages SET status = 'failed', error_message = $4, finished_at = now()
         WHERE task_id = $1 AND position = $3 AND ${OWNED}`, [this.taskId, this.workerId, stage.position, message]);
      return updated.rowCount > 0;
    });
    await this.publish('task.stage', { stage: stage.name, status: 'failed', error: message });
  }

  /** Marks stages done by someone else (the installer Job) without running them here. */
  async reported(stage: StageRecord, detail: string): Promise<void> {
    await this.finished(stage, { status: 'completed', detail });
  }

  async setJobName(jobName: string): Promise<void> {
    await this.write(async (tx) => {
      const updated = await tx.query(`UPDATE dataplane_install_tasks SET job_name = $3, updated_at = now() WHERE id = $1 AND ${OWNED}`,
        [this.taskId, this.workerId, jobName]);
      return updated.rowCount > 0;
    });
  }

  private async write(run: (tx: Parameters<Parameters<Database['transaction']>[0]>[0]) => Promise<boolean>): Promise<void> {
    const owned = await this.db.transaction(run);
    if (!owned) throw new LostTaskError(this.taskId);
  }

  private publish(type: string, data: Record<string, unknown>): Promise<void> {
    return this.relay.publish({ topic: 'installs', type, target: this.clusterName, data: { taskId: this.taskId, ...data } });
  }
}
