import type { Database } from '../db/database.js';
import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject, WatchHandle } from '../kube/types.js';
import type { KubeFactory } from './cluster-access.js';
import { defaultKubeFactory, loadClusterRowById, openClusterAccess } from './cluster-access.js';
import { describeProblems, podProblems } from './kube-checks.js';
import type { InstallRunner } from './runner.js';
import type { SecretBox } from './secret-box.js';
import type { TaskJournal } from './task-journal.js';
import type { InstallTask } from './types.js';

export interface JobRunnerOptions {
  db: Database;
  secrets: SecretBox | null;
  kubeFactory?: KubeFactory;
  image?: string;
  serviceAccount?: string;
  ttlSecondsAfterFinished?: number;
  activeDeadlineSeconds?: number;
  /** Extra annotations on the Job (e.g. for admission controllers). */
  jobAnnotations?: Record<string, string>;
  /** Fallback re-read of the Job when no watch event arrives. */
  pollMs?: number;
}

export function installerJobName(taskId: number): string {
  return `primus-lens-installer-${taskId}`;
}

type JobState = 'running' | 'complete' | 'failed';

function jobState(job: KubeObject): JobState {
  const conditions = ((job['status'] as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions) ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return 'complete';
  if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return 'failed';
  return 'running';
}

function jobFailure(job: KubeObject): string {
  const conditions = ((job['status'] as { conditions?: { type?: string; reason?: string; message?: string }[] } | undefined)?.conditions) ?? [];
  const failed = conditions.find((c) => c.type === 'Failed');
  return failed ? `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim() : 'failed';
}

/**
 * Runs the install as the seed does: a Kubernetes Job `primus-lens-installer-<task>` in the target cluster
 * (backoffLimit 0, a TTL, an active deadline; TASK_ID and CLUSTER_NAME in its environment), watched to the end.
 * A reclaimed task finds its Job still there and keeps watching instead of starting a second one.
 */
export class JobRunner implements InstallRunner {
  readonly kind = 'job' as const;

  constructor(private readonly options: JobRunnerOptions) {}

  async run(task: InstallTask, journal: TaskJournal, signal: AbortSignal): Promise<void> {
    const row = await loadClusterRowById(this.options.db, task.clusterId);
    const access = await openClusterAccess(row, task.storageMode, this.options.secrets, this.options.kubeFactory ?? defaultKubeFactory);
    access.release();
    const { kube } = access;
    const namespace = row.namespace;
    const name = installerJobName(task.id);
    await journal.setJobName(name);
    const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace, name };
    let job = await kube.find(ref, { signal });
    if (job && jobState(job) === 'failed') {
      // A previous attempt's Job: backoffLimit 0 means it never runs again, so a retry starts a fresh one.
      await kube.delete(ref, { signal });
      await this.waitGone(kube, ref, signal);
      job = undefined;
    }
    if (!job) {
      if (!(await kube.find({ apiVersion: 'v1', kind: 'Namespace', name: namespace }, { signal }))) {
        await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, { signal }).catch(() => undefined);
      }
      await kube.create(this.jobFor(task, namespace, name), { signal });
    }
    await this.watchToEnd(kube, namespace, name, signal);
    for (const stage of await journal.stages()) {
      if (stage.status !== 'completed' && stage.status !== 'skipped') await journal.reported(stage, `done by Job ${name}`);
    }
  }

  private jobFor(task: InstallTask, namespace: string, name: string): KubeObject {
    const labels = { 'app.kubernetes.io/name': 'primus-lens-installer', 'app.kubernetes.io/managed-by': 'fleetdeck', 'fleetdeck.io/task-id': String(task.id) };
    return {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name, namespace, labels, ...(this.options.jobAnnotations ? { annotations: this.options.jobAnnotations } : {}) },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: this.options.ttlSecondsAfterFinished ?? 86_400,
        activeDeadlineSeconds: this.options.activeDeadlineSeconds ?? 3600,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: this.options.serviceAccount ?? 'primus-lens-installer',
            containers: [{
              name: 'installer',
              image: this.options.image ?? 'ghcr.io/amd-agi/primus-lens-installer:latest',
              env: [
                { name: 'TASK_ID', value: String(task.id) },
                { name: 'CLUSTER_NAME', value: task.clusterName },
                { name: 'STORAGE_MODE', value: task.storageMode },
                { name: 'NAMESPACE', value: namespace },
              ],
            }],
          },
        },
      },
    };
  }

  private async waitGone(kube: KubeGateway, ref: { apiVersion: string; kind: string; namespace: string; name: string }, signal: AbortSignal): Promise<void> {
    for (let i = 0; i < 100 && (await kube.find(ref, { signal })); i += 1) await sleep(this.options.pollMs ?? 1000, signal);
  }

  /** Watch events wake the check at once; the periodic re-read covers a dropped watch. */
  private async watchToEnd(kube: KubeGateway, namespace: string, name: string, signal: AbortSignal): Promise<void> {
    let wake: (() => void) | null = null;
    const handle: WatchHandle | null = await kube.watch('batch/v1', 'Job', { namespace, fieldSelector: `metadata.name=${name}` }, () => wake?.())
      .catch(() => null);
    try {
      for (;;) {
        signal.throwIfAborted();
        const job = await kube.find({ apiVersion: 'batch/v1', kind: 'Job', namespace, name }, { signal });
        if (!job) throw new FleetError('EXTERNAL', `installer Job ${name} disappeared`, 'Someone deleted it; retry the install.');
        const state = jobState(job);
        if (state === 'complete') return;
        if (state === 'failed') throw new FleetError('EXTERNAL', `installer Job ${name} failed (${jobFailure(job)})`, `Read its logs: \`kubectl -n ${namespace} logs job/${name}\`, then retry.`);
        const problems = await podProblems(kube, namespace, `job-name=${name}`, signal);
        if (problems.length > 0) throw new FleetError('EXTERNAL', `installer Job ${name} cannot run: ${describeProblems(problems)}`, 'Check the installer image and pull secrets, then retry.');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? 2000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      handle?.stop();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
