import type { MutationContext } from '../audit/audited.js';
import { audited } from '../audit/audited.js';
import { actorLabel } from './actor.js';
import { SqlState, isPgError, readSnapshot } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { ConflictError, ValidationError, asFleetError } from '../errors.js';
import { noConnection } from './cluster-access.js';
import type { ClusterConfigInput } from './cluster-store.js';
import { CLUSTER_COLUMNS, listClusters, requireClusterRow, upsertCluster, validateStorageMode } from './cluster-store.js';
import type { ClusterRow } from './rows.js';
import { toCluster } from './rows.js';
import type { SecretBox } from './secret-box.js';
import { STORAGE_SECRET_NAME, stagesFor } from './stage-plan.js';
import { activeTaskFor, historyOf, insertStages, latestTaskFor, latestTasks, stagesOf, stagesOfTasks } from './task-queries.js';
import type { DataplaneCluster, InstallTask, InstallView, RunnerKind, StageRecord, StorageMode, TriggerResult } from './types.js';
import { WAKE_CHANNEL } from './types.js';

export interface DataplaneServiceDeps extends MutationContext {
  relay: EventRelay;
  secrets: SecretBox | null;
  /** Where new tasks run (default: in the scheduler's process). */
  runner?: RunnerKind;
  maxRetries?: number;
}

export interface ClusterInstallSummary extends DataplaneCluster {
  task: (Pick<InstallTask, 'id' | 'status' | 'runner' | 'currentStage' | 'stagesCompleted' | 'retryCount' | 'maxRetries' | 'errorMessage'> & {
    /** Every stage of the current (or last) task with its status; their output is in `installs show`. */
    stages: StageRecord[];
  }) | null;
  stageCount: number;
}

function activeConflict(cluster: string, task: InstallTask | null): ConflictError {
  const which = task ? `task ${task.id} (${task.status}${task.currentStage ? `, at ${task.currentStage}` : ''})` : 'another task';
  return new ConflictError(`cluster "${cluster}" already has an active install: ${which}`,
    `Wait for it to finish (\`fleetdeck installs show ${cluster}\`), then deploy again.`, { taskId: task?.id ?? null });
}

/** TriggerDeploy and its companions: the only writers of release history and install tasks besides the scheduler. */
export class DataplaneService {
  constructor(private readonly deps: DataplaneServiceDeps) {}

  addCluster(input: ClusterConfigInput): Promise<DataplaneCluster> {
    return audited(this.deps, 'dataplane.cluster.add', input.name, async () => {
      const cluster = await upsertCluster(this.deps.db, this.deps.secrets, { ...input, source: input.source ?? 'manual' });
      await this.publish('cluster.updated', cluster.name, { dataplaneStatus: cluster.dataplaneStatus });
      return cluster;
    }, (c) => ({ storageMode: c.storageMode, source: c.source }));
  }

  setStorageMode(name: string, mode: string): Promise<DataplaneCluster> {
    const storageMode = validateStorageMode(mode);
    return audited(this.deps, 'dataplane.storage-mode', name, async () => {
      const result = await this.deps.db.query<ClusterRow>(
        `UPDATE dataplane_clusters SET storage_mode = $2, updated_at = now() WHERE name = $1 AND deleted_at IS NULL
         RETURNING ${CLUSTER_COLUMNS}`, [name, storageMode]);
      if (!result.rows[0]) await requireClusterRow(this.deps.db, name);
      const cluster = toCluster(result.rows[0]!);
      await this.publish('cluster.updated', name, { storageMode });
      return cluster;
    }, (c) => ({ storageMode: c.storageMode }));
  }

  /** POST /lens/v1/release/clusters/:cluster_name/deploy: one history row and one task, in one transaction. */
  trigger(name: string): Promise<TriggerResult> {
    return audited(this.deps, 'dataplane.deploy', name, async () => {
      const result = await this.guardActive(name, () => this.deps.db.transaction(async (tx) => {
        const row = await requireClusterRow(tx, name, { lock: true });
        const active = await activeTaskFor(tx, Number(row.id));
        if (active) throw activeConflict(name, active);
        const storageMode = deployableMode(row, this.deps.secrets);
        const history = await tx.query<{ id: number | string }>(
          `INSERT INTO dataplane_release_history (cluster_id, cluster_name, action, storage_mode, values_snapshot, triggered_by)
           VALUES ($1, $2, 'deploy', $3, $4::jsonb, $5) RETURNING id`,
          [row.id, name, storageMode, JSON.stringify(row.helm_values), actorLabel(this.deps.actor)]);
        const historyId = Number(history.rows[0]!.id);
        const task = await tx.query<{ id: number | string }>(
          `INSERT INTO dataplane_install_tasks (cluster_id, cluster_name, history_id, storage_mode, runner, max_retries)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [row.id, name, historyId, storageMode, this.deps.runner ?? 'process', this.deps.maxRetries ?? 3]);
        const taskId = Number(task.rows[0]!.id);
        await insertStages(tx, taskId, stagesFor(storageMode));
        return { historyId, taskId, cluster: name, storageMode };
      }));
      await this.afterQueued(result.cluster, result.taskId, 'task.queued');
      return result;
    }, (r) => ({ taskId: r.taskId, historyId: r.historyId, storageMode: r.storageMode }));
  }

  /** Re-queues the last failed task; its completed stages stay completed, so it resumes where it stopped. */
  retry(name: string): Promise<TriggerResult> {
    return audited(this.deps, 'dataplane.retry', name, async () => {
      const result = await this.guardActive(name, () => this.deps.db.transaction(async (tx) => {
        const row = await requireClusterRow(tx, name, { lock: true });
        const last = await latestTaskFor(tx, Number(row.id));
        if (last && (last.status === 'pending' || last.status === 'running')) throw activeConflict(name, last);
        if (!last || last.status !== 'failed') {
          throw new ValidationError(`cluster "${name}" has no failed install to retry`, `Start a new one with \`fleetdeck deploy ${name}\`.`);
        }
        requireReachable(row, this.deps.secrets);
        const history = await tx.query<{ id: number | string }>(
          `INSERT INTO dataplane_release_history (cluster_id, cluster_name, action, storage_mode, values_snapshot, triggered_by)
           VALUES ($1, $2, 'retry', $3, $4::jsonb, $5) RETURNING id`,
          [row.id, name, last.storageMode, JSON.stringify(row.helm_values), actorLabel(this.deps.actor)]);
        const historyId = Number(history.rows[0]!.id);
        await tx.query(
          `UPDATE dataplane_install_tasks SET status = 'pending', history_id = $2, retry_count = 0, error_message = NULL,
             worker_id = NULL, heartbeat_at = NULL, next_attempt_at = now(), finished_at = NULL, updated_at = now()
           WHERE id = $1`, [last.id, historyId]);
        await tx.query(`UPDATE dataplane_task_stages SET status = 'pending', error_message = NULL
                        WHERE task_id = $1 AND status IN ('failed', 'running')`, [last.id]);
        return { historyId, taskId: last.id, cluster: name, storageMode: last.storageMode };
      }));
      await this.afterQueued(result.cluster, result.taskId, 'task.retried');
      return result;
    }, (r) => ({ taskId: r.taskId, historyId: r.historyId }));
  }

  /** Every cluster with its current (or last) task and that task's stages: three statements whatever the fleet size. */
  async list(): Promise<ClusterInstallSummary[]> {
    const { clusters, tasks, stages } = await readSnapshot(this.deps.db, async (tx) => {
      const tasks = await latestTasks(tx);
      return { clusters: await listClusters(tx), tasks, stages: await stagesOfTasks(tx, [...tasks.values()].map((t) => t.id)) };
    });
    return clusters.map((cluster) => {
      const task = tasks.get(cluster.id) ?? null;
      return {
        ...cluster,
        task: task && {
          id: task.id, status: task.status, runner: task.runner, currentStage: task.currentStage, stagesCompleted: task.stagesCompleted,
          retryCount: task.retryCount, maxRetries: task.maxRetries, errorMessage: task.errorMessage, stages: stages.get(task.id) ?? [],
        },
        stageCount: task ? stagesFor(task.storageMode).length : stagesFor(cluster.storageMode ?? 'external').length,
      };
    });
  }

  async show(name: string): Promise<InstallView> {
    return readSnapshot(this.deps.db, async (tx) => {
      const row = await requireClusterRow(tx, name);
      const task = await latestTaskFor(tx, Number(row.id));
      return {
        cluster: name,
        dataplaneStatus: row.dataplane_status as InstallView['dataplaneStatus'],
        storageMode: row.storage_mode as StorageMode | null,
        task: task && { ...task, stages: await stagesOf(tx, task.id) },
        history: await historyOf(tx, Number(row.id)),
      };
    });
  }

  /** The unique index is the real guard; a race past the pre-check surfaces as 23505 and becomes a 409. */
  private async guardActive<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isPgError(error) && error.code === SqlState.uniqueViolation) {
        const row = await requireClusterRow(this.deps.db, name);
        throw activeConflict(name, await activeTaskFor(this.deps.db, Number(row.id)));
      }
      throw error;
    }
  }

  /**
   * The task is queued (status pending): dataplane_status is left as it was. Seed 000 sets it to deploying when the
   * installer starts ("Installer 执行中 … 开始 → dataplane_status = deploying"), which is the scheduler's claim.
   */
  private async afterQueued(cluster: string, taskId: number, type: string): Promise<void> {
    await this.deps.db.notify(WAKE_CHANNEL, String(taskId)).catch(() => undefined);
    await this.publish(type, cluster, { taskId, status: 'pending' });
  }

  private publish(type: string, target: string, data: Record<string, unknown>): Promise<void> {
    return this.deps.relay.publish({ topic: 'installs', type, target, data });
  }
}

/**
 * What a deploy needs before it is queued, so a task never burns its retries on something no retry can fix: a way
 * to reach the cluster, and a storage mode. The seed sets an empty mode to external only when storage sync finds the
 * cluster's storage Secret; without Secret and mode there is nothing to decide from.
 */
function deployableMode(row: ClusterRow, box: SecretBox | null): StorageMode {
  requireReachable(row, box);
  const mode = row.storage_mode as StorageMode | null;
  if (mode) return mode;
  throw new ValidationError(`cluster "${row.name}" has no storage mode: storage sync has not found its ${STORAGE_SECRET_NAME} Secret, and none was chosen`,
    `For existing storage, create the Secret ${STORAGE_SECRET_NAME} in namespace ${row.namespace} of the cluster (storage sync reads it within 30 s and sets external); `
    + `for a full install, \`fleetdeck dataplane storage-mode ${row.name} lens-managed\`. Then deploy again.`, 'storage_mode');
}

/** Connection data present, and its credentials readable with this process's key (when it has one). */
function requireReachable(row: ClusterRow, box: SecretBox | null): void {
  if (!row.kube_context && !row.kube_server) throw noConnection(row.name);
  if (row.kube_credentials_enc && box) {
    try {
      box.open(row.kube_credentials_enc);
    } catch (error) {
      const fleet = asFleetError(error);
      throw new ValidationError(`cluster "${row.name}": ${fleet.message}`, fleet.hint);
    }
  }
}
