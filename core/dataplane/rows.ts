import type {
  ClusterSource, DataplaneCluster, DataplaneStatus, InstallTask, ReleaseHistory, RunnerKind, StageRecord, StageStatus, StorageMode, TaskStatus,
} from './types.js';

type Stamp = Date | string;
type MaybeStamp = Stamp | null;

function iso(value: Stamp): string {
  return new Date(value).toISOString();
}

function isoOrNull(value: MaybeStamp): string | null {
  return value === null ? null : iso(value);
}

export interface ClusterRow {
  id: number | string;
  name: string;
  source: string;
  dataplane_status: string;
  storage_mode: string | null;
  storage_config: Record<string, string>;
  storage_secrets_enc: string | null;
  managed_storage_config: Record<string, unknown>;
  namespace: string;
  helm_values: Record<string, unknown>;
  kube_context: string | null;
  kube_server: string | null;
  kube_ca_data: string | null;
  kube_credentials_enc: string | null;
  storage_synced_at: MaybeStamp;
  storage_sync_error: string | null;
  created_at: Stamp;
  updated_at: Stamp;
  deleted_at: MaybeStamp;
}

export function toCluster(row: ClusterRow): DataplaneCluster {
  return {
    id: Number(row.id),
    name: row.name,
    source: row.source as ClusterSource,
    dataplaneStatus: row.dataplane_status as DataplaneStatus,
    storageMode: row.storage_mode as StorageMode | null,
    storageConfig: row.storage_config,
    hasStorageSecrets: row.storage_secrets_enc !== null,
    managedStorageConfig: row.managed_storage_config,
    namespace: row.namespace,
    helmValues: row.helm_values,
    kubeContext: row.kube_context,
    kubeServer: row.kube_server,
    hasKubeCredentials: row.kube_credentials_enc !== null,
    storageSyncedAt: isoOrNull(row.storage_synced_at),
    storageSyncError: row.storage_sync_error,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    deletedAt: isoOrNull(row.deleted_at),
  };
}

export interface TaskRow {
  id: number | string;
  cluster_id: number | string;
  cluster_name: string;
  history_id: number | string;
  storage_mode: string;
  runner: string;
  status: string;
  current_stage: string | null;
  stages_completed: string[];
  error_message: string | null;
  retry_count: number;
  max_retries: number;
  job_name: string | null;
  job_log: string | null;
  worker_id: string | null;
  heartbeat_at: MaybeStamp;
  next_attempt_at: Stamp;
  claims: number;
  created_at: Stamp;
  started_at: MaybeStamp;
  finished_at: MaybeStamp;
}

export function toTask(row: TaskRow): InstallTask {
  return {
    id: Number(row.id),
    clusterId: Number(row.cluster_id),
    clusterName: row.cluster_name,
    historyId: Number(row.history_id),
    storageMode: row.storage_mode as StorageMode,
    runner: row.runner as RunnerKind,
    status: row.status as TaskStatus,
    currentStage: row.current_stage,
    stagesCompleted: row.stages_completed,
    errorMessage: row.error_message,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    jobName: row.job_name,
    jobLog: row.job_log ?? null,
    workerId: row.worker_id,
    heartbeatAt: isoOrNull(row.heartbeat_at),
    nextAttemptAt: iso(row.next_attempt_at),
    claims: row.claims,
    createdAt: iso(row.created_at),
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
  };
}

export interface StageRow {
  position: number;
  name: string;
  status: string;
  attempts: number;
  detail: string | null;
  error_message: string | null;
  output?: string | null;
  started_at: MaybeStamp;
  finished_at: MaybeStamp;
}

export function toStage(row: StageRow): StageRecord {
  return {
    position: row.position,
    name: row.name,
    status: row.status as StageStatus,
    attempts: row.attempts,
    detail: row.detail,
    error: row.error_message,
    output: row.output ?? null,
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
  };
}

export interface HistoryRow {
  id: number | string;
  cluster_name: string;
  action: string;
  storage_mode: string;
  status: string;
  triggered_by: string;
  error_message: string | null;
  created_at: Stamp;
  finished_at: MaybeStamp;
}

export function toHistory(row: HistoryRow): ReleaseHistory {
  return {
    id: Number(row.id),
    clusterName: row.cluster_name,
    action: row.action as 'deploy' | 'retry',
    storageMode: row.storage_mode as StorageMode,
    status: row.status as TaskStatus,
    triggeredBy: row.triggered_by,
    errorMessage: row.error_message,
    createdAt: iso(row.created_at),
    finishedAt: isoOrNull(row.finished_at),
  };
}
