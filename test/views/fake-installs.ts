import type { ClusterInstallSummary } from '../../core/dataplane/deploy-service.js';
import { EXTERNAL_STAGES as SEED_EXTERNAL_STAGES } from '../../core/dataplane/stage-plan.js';
import type { DataplaneStatus, InstallView, StageRecord, StorageMode, TriggerResult } from '../../core/dataplane/types.js';
import type { InstallsSource } from '../../views/source.js';
import type { MemorySource } from './fixtures.js';

/** The seed's external-storage stages, as the real installer names them. */
export const EXTERNAL_STAGES: readonly string[] = SEED_EXTERNAL_STAGES;

export function stage(position: number, name: string, status: StageRecord['status'], extra: Partial<StageRecord> = {}): StageRecord {
  return { position, name, status, attempts: status === 'pending' ? 0 : 1, detail: null, error: null, output: null,
    startedAt: status === 'pending' ? null : new Date(Date.now() - 12_000).toISOString(), finishedAt: null, ...extra };
}

interface FakeCluster {
  name: string;
  status: DataplaneStatus;
  storageMode: StorageMode | null;
  view: InstallView;
}

/** The installer in memory: trigger/retry queue a task and publish `installs` events; `setStages` moves a task on. */
export class MemoryInstalls implements InstallsSource {
  clusters: FakeCluster[];
  triggered: string[] = [];
  active = 0;
  maxActive = 0;
  triggerDelayMs = 0;
  /** The most installs (tasks pending or running) that were active at once. */
  maxActiveTasks = 0;
  private nextTask = 1;

  constructor(private readonly source: MemorySource, names: [string, DataplaneStatus, StorageMode | null][]) {
    this.clusters = names.map(([name, status, storageMode]) => ({
      name, status, storageMode, view: { cluster: name, dataplaneStatus: status, storageMode, task: null, history: [] },
    }));
  }

  async list(): Promise<ClusterInstallSummary[]> {
    return this.clusters.map((c) => ({
      id: 1, name: c.name, source: 'manual', dataplaneStatus: c.status, storageMode: c.storageMode, storageConfig: {}, hasStorageSecrets: false,
      managedStorageConfig: {}, namespace: 'primus-lens', helmValues: {}, kubeContext: null, kubeServer: null, hasKubeCredentials: false,
      storageSyncedAt: null, storageSyncError: null, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z', deletedAt: null,
      task: c.view.task && { id: c.view.task.id, status: c.view.task.status, runner: c.view.task.runner, currentStage: c.view.task.currentStage,
        stagesCompleted: c.view.task.stagesCompleted, retryCount: c.view.task.retryCount, maxRetries: c.view.task.maxRetries,
        errorMessage: c.view.task.errorMessage, stages: c.view.task.stages },
      stageCount: EXTERNAL_STAGES.length,
    }));
  }

  async show(name: string): Promise<InstallView> {
    return structuredClone(this.find(name).view);
  }

  trigger(name: string): Promise<TriggerResult> {
    return this.queue(name, 'deploy');
  }

  retry(name: string): Promise<TriggerResult> {
    return this.queue(name, 'retry');
  }

  /** Moves the cluster's task to these stages (and the matching task and cluster status), then publishes. */
  setStages(name: string, stages: StageRecord[], error: string | null = null): void {
    const c = this.find(name);
    const task = c.view.task;
    if (!task) throw new Error(`no task on ${name}`);
    task.stages = stages;
    task.stagesCompleted = stages.filter((s) => s.status === 'completed' || s.status === 'skipped').map((s) => s.name);
    task.currentStage = stages.find((s) => s.status === 'running' || s.status === 'failed')?.name ?? null;
    const failed = stages.some((s) => s.status === 'failed');
    task.status = failed ? 'failed' : task.stagesCompleted.length === stages.length ? 'completed' : 'running';
    task.errorMessage = error;
    if (failed) task.retryCount = task.maxRetries;
    c.status = failed ? 'failed' : task.status === 'completed' ? 'deployed' : 'deploying';
    c.view.dataplaneStatus = c.status;
    this.source.emit({ topic: 'installs', type: 'task.stage', target: name, origin: 'remote' });
  }

  /** Every stage of the cluster's task done: the install completed. */
  complete(name: string): void {
    this.setStages(name, EXTERNAL_STAGES.map((n, i) => stage(i, n, 'completed', { finishedAt: new Date().toISOString() })));
  }

  activeTasks(): string[] {
    return this.clusters.filter((c) => c.view.task?.status === 'pending' || c.view.task?.status === 'running').map((c) => c.name);
  }

  private find(name: string): FakeCluster {
    const c = this.clusters.find((candidate) => candidate.name === name);
    if (!c) throw Object.assign(new Error(`cluster "${name}" not found`), { hint: 'List them with `fleetdeck installs ls`.' });
    return c;
  }

  private async queue(name: string, action: 'deploy' | 'retry'): Promise<TriggerResult> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.triggerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.triggerDelayMs));
      const c = this.find(name);
      const last = c.view.task;
      if (last && (last.status === 'pending' || last.status === 'running')) {
        throw Object.assign(new Error(`cluster "${name}" already has an active install: task ${last.id} (${last.status})`),
          { hint: `Wait for it to finish (\`fleetdeck installs show ${name}\`), then deploy again.` });
      }
      this.triggered.push(`${action} ${name}`);
      const id = action === 'retry' && last ? last.id : this.nextTask++;
      const now = new Date().toISOString();
      c.view.task = {
        id, clusterId: 1, clusterName: name, historyId: id, storageMode: c.storageMode ?? 'external', runner: 'process', status: 'pending',
        currentStage: null, stagesCompleted: [], errorMessage: null, retryCount: 0, maxRetries: 3, jobName: null, jobLog: null, workerId: null,
        heartbeatAt: null, nextAttemptAt: now, claims: 0, createdAt: now, startedAt: null, finishedAt: null,
        stages: EXTERNAL_STAGES.map((stageName, i) => stage(i, stageName, 'pending')),
      };
      c.view.history.unshift({ id: c.view.history.length + 1, clusterName: name, action, storageMode: c.storageMode ?? 'external',
        status: 'pending', triggeredBy: 'test@host', errorMessage: null, createdAt: now, finishedAt: null });
      // As the engine does (seed 000): the cluster keeps its status until a worker claims the task.
      this.maxActiveTasks = Math.max(this.maxActiveTasks, this.activeTasks().length);
      this.source.emit({ topic: 'installs', type: 'task.queued', target: name, origin: 'local' });
      return { historyId: c.view.history.length, taskId: id, cluster: name, storageMode: c.storageMode ?? 'external' };
    } finally {
      this.active -= 1;
    }
  }
}
