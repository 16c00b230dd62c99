/**
 * The dataplane installer's words (seed 000, Primus-Lens):
 * - cluster configuration: a cluster the Lens control plane installs its dataplane into, with its storage mode
 *   and connection data; `dataplane_status` says where its install stands.
 * - release history: one row per deploy request.
 * - install task: the work for one deploy; claimed by one worker at a time, retried with backoff.
 * - stage: one ordered, idempotent part of a task (check → act → wait); progress is persisted per stage.
 * - runner: runs a claimed task's stages, in this process (helm through execa) or in a Kubernetes Job.
 */
export const DATAPLANE_STATUSES = ['pending', 'deploying', 'deployed', 'failed'] as const;
export type DataplaneStatus = (typeof DATAPLANE_STATUSES)[number];

export const STORAGE_MODES = ['external', 'lens-managed'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

export type ClusterSource = 'manual' | 'primus-safe';
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed';
export type StageStatus = 'pending' | 'running' | 'completed' | 'skipped' | 'failed';
export type RunnerKind = 'process' | 'job';

export interface DataplaneCluster {
  id: number;
  name: string;
  source: ClusterSource;
  dataplaneStatus: DataplaneStatus;
  storageMode: StorageMode | null;
  /** Non-secret storage settings; secret values never leave the database unencrypted except to a stage. */
  storageConfig: Record<string, string>;
  hasStorageSecrets: boolean;
  managedStorageConfig: Record<string, unknown>;
  namespace: string;
  helmValues: Record<string, unknown>;
  kubeContext: string | null;
  kubeServer: string | null;
  hasKubeCredentials: boolean;
  storageSyncedAt: string | null;
  storageSyncError: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface StageRecord {
  position: number;
  name: string;
  status: StageStatus;
  attempts: number;
  detail: string | null;
  error: string | null;
  /** The tail of what the installer printed for this stage (helm's stdout/stderr), redacted. */
  output: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface InstallTask {
  id: number;
  clusterId: number;
  clusterName: string;
  historyId: number;
  storageMode: StorageMode;
  runner: RunnerKind;
  status: TaskStatus;
  currentStage: string | null;
  stagesCompleted: string[];
  errorMessage: string | null;
  retryCount: number;
  maxRetries: number;
  jobName: string | null;
  /** The installer Job pod's log tail (Job runner), redacted. */
  jobLog: string | null;
  workerId: string | null;
  heartbeatAt: string | null;
  nextAttemptAt: string;
  claims: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ReleaseHistory {
  id: number;
  clusterName: string;
  action: 'deploy' | 'retry';
  storageMode: StorageMode;
  status: TaskStatus;
  triggeredBy: string;
  errorMessage: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface TriggerResult {
  historyId: number;
  taskId: number;
  cluster: string;
  storageMode: StorageMode;
}

/** What `installs show` prints: the cluster, and the current (or last) task with every stage. */
export interface InstallView {
  cluster: string;
  dataplaneStatus: DataplaneStatus;
  storageMode: StorageMode | null;
  task: (InstallTask & { stages: StageRecord[] }) | null;
  history: ReleaseHistory[];
}

/** The channel a trigger NOTIFYs so idle schedulers claim within milliseconds. */
export const WAKE_CHANNEL = 'fleetdeck_dataplane_wake';
