import type { Database } from '../db/database.js';
import { FleetError, errorMessage } from '../errors.js';
import type { KubeConfigSource } from '../kube/connection.js';
import type { KubeGateway, KubeObject, KubeRef, WatchHandle } from '../kube/types.js';
import type { KubeFactory } from './cluster-access.js';
import { defaultKubeFactory, loadClusterRowById, openClusterAccess, requireConnection } from './cluster-access.js';
import { ensureInstallerAccount, INSTALLER_SERVICE_ACCOUNT } from './installer-rbac.js';
import type { InstallerSpec, JobProgress } from './job-progress.js';
import {
  INSTALLER_SPEC_DIR, INSTALLER_SPEC_KEY, initialProgress, installerJobName, installerSpecSecretName, isDone, progressConfigMap,
  progressConfigMapName, readProgress,
} from './job-progress.js';
import { describeProblems, podProblems } from './kube-checks.js';
import type { PodLogReader } from './pod-log.js';
import { podLogReader } from './pod-log.js';
import { outputTail } from './redact.js';
import type { InstallRunner } from './runner.js';
import type { SecretBox } from './secret-box.js';
import type { StageTimeouts } from './stage-env.js';
import { DEFAULT_TIMEOUTS } from './stage-env.js';
import type { TaskJournal } from './task-journal.js';
import type { InstallTask, StageRecord } from './types.js';

export { installerJobName } from './job-progress.js';

/** fleetdeck's installer image: `fleetdeck dataplane installer` with helm on PATH (see the README). */
export const DEFAULT_INSTALLER_IMAGE = 'ghcr.io/fleetdeck/fleetdeck-installer:0.1.0';

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
  /** Fallback re-read of the Job and its progress when no watch event arrives. */
  pollMs?: number;
  /** Stage timeouts and poll interval handed to the installer. */
  timeouts?: StageTimeouts;
  stagePollMs?: number;
  /** How to read kubeconfig files for the pod log (the sandbox points KUBECONFIG at its world). */
  kubeconfigSource?: KubeConfigSource;
  /** Replaces the pod log reader (tests). */
  podLogs?: (task: InstallTask) => PodLogReader;
  /** How long the final log waits for the Job to end after the installer reported its result (default 5 s). */
  finalLogWaitMs?: number;
  /** How long a completed Job may take to show its final progress before the task fails (default 10 s). */
  finalProgressGraceMs?: number;
}

type JobState = 'running' | 'complete' | 'failed';

function conditions(job: KubeObject): { type?: string; status?: string; reason?: string; message?: string }[] {
  return ((job['status'] as { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] } | undefined)?.conditions) ?? [];
}

function jobState(job: KubeObject): JobState {
  if (conditions(job).some((c) => c.type === 'Complete' && c.status === 'True')) return 'complete';
  if (conditions(job).some((c) => c.type === 'Failed' && c.status === 'True')) return 'failed';
  return 'running';
}

function jobFailure(job: KubeObject): string {
  const failed = conditions(job).find((c) => c.type === 'Failed');
  return failed ? `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim() : 'failed';
}

const LOG_LINES = 200;

/**
 * Runs the install as the seed does: a Kubernetes Job `primus-lens-installer-<task>` in the target cluster
 * (backoffLimit 0, a TTL, an active deadline; TASK_ID and CLUSTER_NAME in its environment), with its ServiceAccount
 * and RBAC made if missing, the task in a mounted Secret, and its progress read live from a ConfigMap (see
 * job-progress.ts). A reclaimed task finds its Job still there and keeps following it instead of starting another.
 */
export class JobRunner implements InstallRunner {
  readonly kind = 'job' as const;

  constructor(private readonly options: JobRunnerOptions) {}

  async run(task: InstallTask, journal: TaskJournal, signal: AbortSignal): Promise<void> {
    const row = await loadClusterRowById(this.options.db, task.clusterId);
    const access = await openClusterAccess(row, task.storageMode, this.options.secrets, this.options.kubeFactory ?? defaultKubeFactory);
    access.release(); // helm does not run here: no kubeconfig file is needed.
    const { kube, cluster } = access;
    const namespace = row.namespace;
    const name = installerJobName(task.id);
    const known = Object.values(cluster.storageSecrets);
    const readLog = this.options.podLogs?.(task)
      ?? podLogReader(requireConnection(row, this.options.secrets), kube.context || undefined, this.options.kubeconfigSource);
    await journal.setJobName(name);
    const ref: KubeRef = { apiVersion: 'batch/v1', kind: 'Job', namespace, name };
    let job = await kube.find(ref, { signal });
    if (job && jobState(job) !== 'running') {
      // A previous attempt's Job: backoffLimit 0 means it never runs again, so this attempt starts a fresh one.
      await kube.delete(ref, { signal });
      await this.waitGone(kube, ref, signal);
      job = undefined;
    }
    if (!job) {
      const stages = await journal.stages();
      const spec: InstallerSpec = {
        version: 1, taskId: task.id, cluster, stages, timeouts: this.options.timeouts ?? DEFAULT_TIMEOUTS,
        pollMs: this.options.stagePollMs ?? 2000, progressConfigMap: progressConfigMapName(task.id),
      };
      await this.prepare(kube, task, namespace, spec, signal);
      job = await kube.create(this.jobFor(task, namespace, name), { signal });
      await this.adopt(kube, namespace, task.id, job, signal);
    }
    const mirror = new ProgressMirror(journal, await journal.stages());
    try {
      await this.follow(kube, task, namespace, mirror, readLog, known, signal);
    } finally {
      // The spec Secret holds storage passwords: it goes as soon as the Job is done with it.
      if (!signal.aborted) await kube.delete({ apiVersion: 'v1', kind: 'Secret', namespace, name: installerSpecSecretName(task.id) }).catch(() => undefined);
    }
  }

  /** Namespace, ServiceAccount and RBAC (check, then act), the progress ConfigMap and the spec Secret. */
  private async prepare(kube: KubeGateway, task: InstallTask, namespace: string, spec: InstallerSpec, signal: AbortSignal): Promise<void> {
    const labels = this.labels(task);
    await ensureInstallerAccount(kube, namespace, this.options.serviceAccount ?? INSTALLER_SERVICE_ACCOUNT, signal);
    const progress = progressConfigMap(namespace, task.id, initialProgress(spec.stages), labels);
    const secret: KubeObject = {
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: installerSpecSecretName(task.id), namespace, labels },
      data: { [INSTALLER_SPEC_KEY]: Buffer.from(JSON.stringify(spec), 'utf8').toString('base64') },
    };
    for (const object of [progress, secret]) {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, namespace, name: object.metadata.name! };
      const existing = await kube.find(ref, { signal });
      if (existing) await kube.replace({ ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata.resourceVersion } }, { signal });
      else await kube.create(object, { signal });
    }
  }

  /** Owner references to the Job, so the cluster removes the Secret and ConfigMap with it (TTL or deletion). */
  private async adopt(kube: KubeGateway, namespace: string, taskId: number, job: KubeObject, signal: AbortSignal): Promise<void> {
    const owner = [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name ?? '', uid: job.metadata.uid ?? '', blockOwnerDeletion: false }];
    if (!job.metadata.uid) return;
    for (const [kind, name] of [['Secret', installerSpecSecretName(taskId)], ['ConfigMap', progressConfigMapName(taskId)]] as const) {
      await kube.patch({ apiVersion: 'v1', kind, namespace, name }, { metadata: { ownerReferences: owner } }, 'merge', { signal }).catch(() => undefined);
    }
  }

  private labels(task: InstallTask): Record<string, string> {
    return { 'app.kubernetes.io/name': 'primus-lens-installer', 'app.kubernetes.io/managed-by': 'fleetdeck', 'fleetdeck.io/task-id': String(task.id) };
  }

  private jobFor(task: InstallTask, namespace: string, name: string): KubeObject {
    const labels = this.labels(task);
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
            serviceAccountName: this.options.serviceAccount ?? INSTALLER_SERVICE_ACCOUNT,
            containers: [{
              name: 'installer',
              image: this.options.image ?? DEFAULT_INSTALLER_IMAGE,
              args: ['dataplane', 'installer'],
              env: [
                { name: 'TASK_ID', value: String(task.id) },
                { name: 'CLUSTER_NAME', value: task.clusterName },
                { name: 'STORAGE_MODE', value: task.storageMode },
                { name: 'NAMESPACE', value: namespace },
                { name: 'INSTALLER_SPEC', value: `${INSTALLER_SPEC_DIR}/${INSTALLER_SPEC_KEY}` },
                { name: 'PROGRESS_CONFIGMAP', value: progressConfigMapName(task.id) },
              ],
              volumeMounts: [{ name: 'task', mountPath: INSTALLER_SPEC_DIR, readOnly: true }],
            }],
            volumes: [{ name: 'task', secret: { secretName: installerSpecSecretName(task.id), defaultMode: 0o400 } }],
          },
        },
      },
    };
  }

  private async waitGone(kube: KubeGateway, ref: KubeRef, signal: AbortSignal): Promise<void> {
    for (let i = 0; i < 100 && (await kube.find(ref, { signal })); i += 1) await sleep(this.options.pollMs ?? 1000, signal);
  }

  /**
   * Follows the Job until it ends. Watch events on the Job and on the progress ConfigMap wake the check at once;
   * a periodic re-read covers a dropped watch. Each check copies the reported stage transitions into the journal.
   */
  private async follow(kube: KubeGateway, task: InstallTask, namespace: string, mirror: ProgressMirror, readLog: PodLogReader,
    known: string[], signal: AbortSignal): Promise<void> {
    const name = installerJobName(task.id);
    const cmName = progressConfigMapName(task.id);
    let wake: (() => void) | null = null;
    const poke = (): void => wake?.();
    const watches: WatchHandle[] = [];
    for (const [apiVersion, kind, object] of [['batch/v1', 'Job', name], ['v1', 'ConfigMap', cmName]] as const) {
      const handle = await kube.watch(apiVersion, kind, { namespace, fieldSelector: `metadata.name=${object}` }, poke).catch(() => null);
      if (handle) watches.push(handle);
    }
    let lastLogAt = 0;
    const saveLog = async (force: boolean): Promise<void> => {
      if (!force && Date.now() - lastLogAt < 2000) return;
      lastLogAt = Date.now();
      const text = await this.podLog(kube, namespace, name, readLog, signal);
      if (text !== null) await mirror.journal.setJobLog(outputTail(text, LOG_LINES, 16_000, known));
    };
    /**
     * The installer reports its result, then logs its last line and exits: the final log is read once its Job has
     * ended (or after a short wait), so it ends with that line.
     */
    const saveFinalLog = async (): Promise<void> => {
      const until = Date.now() + (this.options.finalLogWaitMs ?? 5000);
      for (;;) {
        const job = await kube.find({ apiVersion: 'batch/v1', kind: 'Job', namespace, name }, { signal });
        if (!job || jobState(job) !== 'running' || Date.now() > until) break;
        await sleep(100, signal);
      }
      await saveLog(true);
    };
    let completedAt: number | null = null;
    try {
      for (;;) {
        signal.throwIfAborted();
        const progress = readProgress(await kube.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: cmName }, { signal }));
        if (progress && await mirror.apply(progress)) await saveLog(false).catch(() => undefined);
        if (progress?.result === 'succeeded' && mirror.allDone()) {
          await saveFinalLog().catch(() => undefined);
          return;
        }
        if (progress?.result === 'failed') {
          await saveFinalLog().catch(() => undefined);
          throw new FleetError('EXTERNAL', `installer Job ${name}: ${progress.error ?? 'the install failed'}`,
            `Press l in the Installs panel (or \`kubectl -n ${namespace} logs job/${name}\`), fix the cause, then retry.`);
        }
        const job = await kube.find({ apiVersion: 'batch/v1', kind: 'Job', namespace, name }, { signal });
        if (!job) throw new FleetError('EXTERNAL', `installer Job ${name} disappeared`, 'Someone deleted it; retry the install.');
        const state = jobState(job);
        if (state === 'failed') {
          await saveLog(true).catch(() => undefined);
          throw new FleetError('EXTERNAL', `installer Job ${name} failed (${jobFailure(job)})`, `Read its logs: press l in the Installs panel, or \`kubectl -n ${namespace} logs job/${name}\`; then retry.`);
        }
        if (state === 'complete') {
          if (!progress?.reporter) {
            // An installer that does not report progress: its successful exit is all there is to go on.
            await saveLog(true).catch(() => undefined);
            await mirror.completeAll(`done by Job ${name}`);
            return;
          }
          // The container wrote its final progress before exiting; give a late watch event a moment to arrive.
          completedAt ??= Date.now();
          if (Date.now() - completedAt > (this.options.finalProgressGraceMs ?? 10_000)) {
            await saveLog(true).catch(() => undefined);
            throw new FleetError('EXTERNAL', `installer Job ${name} completed, but reported ${mirror.remaining().join(', ') || 'no result'} as not done`,
              `Read its logs (press l), then retry; the stages it finished are kept.`);
          }
        } else {
          const problems = await podProblems(kube, namespace, `job-name=${name}`, signal);
          if (problems.length > 0) {
            throw new FleetError('EXTERNAL', `installer Job ${name} cannot run: ${describeProblems(problems)}`, 'Check the installer image and pull secrets, then retry.');
          }
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, state === 'complete' ? 200 : this.options.pollMs ?? 2000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      for (const handle of watches) handle.stop();
    }
  }

  /** The installer pod's log tail, or a line saying why it cannot be read. */
  private async podLog(kube: KubeGateway, namespace: string, job: string, readLog: PodLogReader, signal: AbortSignal): Promise<string | null> {
    const pods = await kube.list('v1', 'Pod', { namespace, labelSelector: `job-name=${job}`, signal });
    const pod = pods.items[pods.items.length - 1]?.metadata.name;
    if (!pod) return null;
    try {
      return await readLog(namespace, pod, { tailLines: LOG_LINES });
    } catch (error) {
      return `(the log of pod ${pod} cannot be read: ${errorMessage(error)})`;
    }
  }
}

/** Copies the installer's reported stage transitions into the task journal, each once, in stage order. */
class ProgressMirror {
  private readonly known = new Map<number, StageRecord>();

  constructor(readonly journal: TaskJournal, stages: StageRecord[]) {
    for (const stage of stages) this.known.set(stage.position, stage);
  }

  /** True when something changed. */
  async apply(progress: JobProgress): Promise<boolean> {
    let changed = false;
    for (const reported of [...progress.stages].sort((a, b) => a.position - b.position)) {
      const mine = this.known.get(reported.position);
      if (!mine || mine.status === reported.status) continue;
      if (isDone(reported.status) && !isDone(mine.status)) {
        if (mine.status === 'pending') await this.journal.started(mine);
        await this.journal.finished(mine, { status: reported.status as 'completed' | 'skipped', detail: reported.detail ?? '', output: reported.output ?? null });
      } else if (reported.status === 'running' && mine.status !== 'running') {
        await this.journal.started(mine);
      } else if (reported.status === 'failed') {
        await this.journal.failed(mine, reported.error ?? `${mine.name} failed`, reported.output ?? null);
      } else {
        continue;
      }
      this.known.set(reported.position, { ...mine, status: reported.status });
      changed = true;
    }
    return changed;
  }

  allDone(): boolean {
    return [...this.known.values()].every((s) => isDone(s.status));
  }

  remaining(): string[] {
    return [...this.known.values()].filter((s) => !isDone(s.status)).map((s) => s.name);
  }

  async completeAll(detail: string): Promise<void> {
    for (const stage of [...this.known.values()].sort((a, b) => a.position - b.position)) {
      if (isDone(stage.status)) continue;
      await this.journal.reported(stage, detail);
      this.known.set(stage.position, { ...stage, status: 'completed' });
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
