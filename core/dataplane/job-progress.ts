/**
 * The Job runner's contract with the installer container (no database in the cluster):
 * - the scheduler writes the task as `task.json` into a Secret `primus-lens-installer-<task>` that the Job mounts at
 *   /etc/primus-lens-installer (it carries storage passwords, hence a Secret);
 * - the installer reports progress in the ConfigMap `primus-lens-installer-<task>-progress`, key `progress.json`,
 *   rewriting it at every stage transition; the scheduler watches that ConfigMap and copies each transition into
 *   the task journal, so stages move live in `installs show` and the cockpit.
 * An installer that never writes the ConfigMap (`reporter` stays null) is still supported: when its Job completes,
 * every remaining stage is recorded as done by the Job.
 */
import type { KubeGateway, KubeObject } from '../kube/types.js';
import type { StageCluster, StageOutcome, StageTimeouts } from './stage-env.js';
import type { StageJournal } from './task-journal.js';
import type { StageRecord, StageStatus } from './types.js';

export const INSTALLER_SPEC_DIR = '/etc/primus-lens-installer';
export const INSTALLER_SPEC_KEY = 'task.json';
export const PROGRESS_KEY = 'progress.json';

export function installerJobName(taskId: number): string {
  return `primus-lens-installer-${taskId}`;
}

export function installerSpecSecretName(taskId: number): string {
  return installerJobName(taskId);
}

export function progressConfigMapName(taskId: number): string {
  return `${installerJobName(taskId)}-progress`;
}

/** Everything the installer needs, since it cannot read the database. */
export interface InstallerSpec {
  version: 1;
  taskId: number;
  cluster: StageCluster;
  /** Every stage of the task with its status when the Job was created; done ones are not run again. */
  stages: StageRecord[];
  timeouts: StageTimeouts;
  pollMs: number;
  progressConfigMap: string;
}

export type JobResult = 'pending' | 'running' | 'succeeded' | 'failed';

export interface JobProgress {
  /** Who writes this document; null until an installer has written it. */
  reporter: string | null;
  result: JobResult;
  error: string | null;
  stages: StageRecord[];
  updatedAt: string;
}

export function initialProgress(stages: readonly StageRecord[]): JobProgress {
  return { reporter: null, result: 'pending', error: null, stages: stages.map((s) => ({ ...s })), updatedAt: new Date().toISOString() };
}

export function progressConfigMap(namespace: string, taskId: number, progress: JobProgress, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: progressConfigMapName(taskId), namespace, labels },
    data: { [PROGRESS_KEY]: JSON.stringify(progress) },
  };
}

/** The progress a ConfigMap holds; null when it holds none (or not valid JSON: treated as not reported yet). */
export function readProgress(configMap: KubeObject | undefined): JobProgress | null {
  const text = (configMap?.['data'] as Record<string, string> | undefined)?.[PROGRESS_KEY];
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as JobProgress;
    return Array.isArray(parsed.stages) ? parsed : null;
  } catch {
    return null;
  }
}

const DONE: ReadonlySet<StageStatus> = new Set(['completed', 'skipped']);

/**
 * The installer's StageJournal: every transition rewrites the progress ConfigMap (a merge patch on one key, so it
 * needs no resourceVersion; the installer is its only writer once running).
 */
export class ProgressJournal implements StageJournal {
  readonly startedByClaim = null;
  readonly defersLast = false;
  private readonly progress: JobProgress;

  constructor(
    private readonly kube: KubeGateway,
    private readonly namespace: string,
    private readonly name: string,
    stages: readonly StageRecord[],
    reporter: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.progress = { ...initialProgress(stages), reporter, result: 'running' };
  }

  async stages(): Promise<StageRecord[]> {
    return this.progress.stages.map((s) => ({ ...s }));
  }

  async begin(): Promise<void> {
    await this.write();
  }

  async started(stage: StageRecord): Promise<void> {
    this.update(stage.position, { status: 'running', startedAt: new Date().toISOString(), finishedAt: null, error: null, output: null, attempts: stage.attempts + 1 });
    this.log(`${stage.name}: running`);
    await this.write();
  }

  async finished(stage: StageRecord, outcome: StageOutcome): Promise<void> {
    this.close(stage, outcome);
    await this.write();
  }

  async advance(stage: StageRecord, outcome: StageOutcome, next: StageRecord | null): Promise<void> {
    this.close(stage, outcome);
    if (next) {
      this.update(next.position, { status: 'running', startedAt: new Date().toISOString(), finishedAt: null, error: null, output: null, attempts: next.attempts + 1 });
      this.log(`${next.name}: running`);
    }
    await this.write();
  }

  async failed(stage: StageRecord, message: string, output: string | null = null): Promise<void> {
    this.update(stage.position, { status: 'failed', error: message, output, finishedAt: new Date().toISOString() });
    this.log(`${stage.name}: failed: ${message}`);
    if (output) this.log(output);
    await this.write();
  }

  deferLast(): void {
    // Never deferred here: every transition is written as it happens.
  }

  async end(result: 'succeeded' | 'failed', error: string | null): Promise<void> {
    this.progress.result = result;
    this.progress.error = error;
    await this.write();
  }

  private close(stage: StageRecord, outcome: StageOutcome): void {
    this.update(stage.position, { status: outcome.status, detail: outcome.detail, output: outcome.output ?? null, finishedAt: new Date().toISOString() });
    this.log(`${stage.name}: ${outcome.status}: ${outcome.detail}`);
    if (outcome.output) this.log(outcome.output);
  }

  private update(position: number, patch: Partial<StageRecord>): void {
    const index = this.progress.stages.findIndex((s) => s.position === position);
    if (index >= 0) this.progress.stages[index] = { ...this.progress.stages[index]!, ...patch };
  }

  private async write(): Promise<void> {
    this.progress.updatedAt = new Date().toISOString();
    await this.kube.patch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: this.name },
      { data: { [PROGRESS_KEY]: JSON.stringify(this.progress) } }, 'merge');
  }
}

export function isDone(status: StageStatus): boolean {
  return DONE.has(status);
}
