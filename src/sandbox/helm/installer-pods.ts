/**
 * What a node would do with fleetdeck's installer image in a sandbox cluster: for each pod of a
 * `primus-lens-installer` Job, mount its task Secret, run the container's command (`fleetdeck dataplane installer`)
 * as a process with the pod's environment, keep its output as the pod's log, and end the pod and its Job the way the
 * kubelet and the Job controller do when the container exits. The sandbox controller only creates the pod.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { INSTALLER_SPEC_KEY } from '../../../core/dataplane/index.js';
import type { SandboxCluster } from '../kube-api/cluster.js';
import { LOG_ANNOTATION } from '../kube-api/handlers.js';
import type { KubeObject } from '../kube-api/json.js';
import { now, podType } from '../kube-api/pods.js';
import type { ResourceType } from '../kube-api/resources.js';
import { isInstallerPod } from './installer-job.js';

export interface InstallerPodsOptions {
  cluster: SandboxCluster;
  /** A kubeconfig reaching `cluster`: what the pod's ServiceAccount token would give it. */
  kubeconfig: string;
  /** The helm inside the "image" (the sandbox helm, or a fake one) and its environment. */
  helmBin: string;
  helmEnv?: Record<string, string>;
}

export interface InstallerPods {
  /** Pods started so far, by name. */
  readonly started: string[];
  stop(): Promise<void>;
}

/** The built CLI entry point (the installer image runs the same program). */
function fleetdeckEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const marker = `${sep}sandbox${sep}helm`;
  const srcDir = here.endsWith(marker) ? here.slice(0, -marker.length) : here;
  const direct = join(srcDir, 'main.js');
  if (existsSync(direct)) return direct;
  const built = join(srcDir, '..', 'dist', 'src', 'main.js');
  if (!existsSync(built)) throw new Error('the fleetdeck CLI is not built: run `npm run build`');
  return built;
}

interface PodSpec {
  containers?: { env?: { name: string; value?: string }[]; args?: string[] }[];
  volumes?: { name: string; secret?: { secretName?: string } }[];
}

export function runInstallerPods(options: InstallerPodsOptions): InstallerPods {
  const { store } = options.cluster;
  const seen = new Set<string>();
  const running = new Set<ResultPromise>();
  const started: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-installer-pods-'));
  const typeOf = (apiVersion: string, kind: string): ResourceType => options.cluster.objects.typeOf(apiVersion, kind);

  /** The container's output so far as the pod's log (`kubectl logs` shows it while the pod runs); the pod, or undefined when gone. */
  const writeLog = (pod: KubeObject, log: string): KubeObject | undefined => {
    const pods = podType(store);
    const current = store.find(pods, pod.metadata.namespace, pod.metadata.name ?? '');
    if (!current || current.metadata.annotations?.[LOG_ANNOTATION] === log) return current;
    return store.update(pods, pod.metadata.namespace, current.metadata.name ?? '',
      { ...current, metadata: { ...current.metadata, annotations: { ...(current.metadata.annotations ?? {}), [LOG_ANNOTATION]: log } } });
  };

  const finish = (pod: KubeObject, log: string, exitCode: number): void => {
    const pods = podType(store);
    const namespace = pod.metadata.namespace;
    const annotated = writeLog(pod, log);
    if (annotated) {
      const at = now();
      store.update(pods, namespace, annotated.metadata.name ?? '', {
        ...annotated, status: { ...((annotated['status'] as object | undefined) ?? {}), phase: exitCode === 0 ? 'Succeeded' : 'Failed',
          containerStatuses: [{ name: 'installer', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: at } } }] },
      }, { subresource: 'status' });
    }
    const jobs = typeOf('batch/v1', 'Job');
    const jobName = pod.metadata.labels?.['job-name'] ?? '';
    const job = store.find(jobs, namespace, jobName);
    if (!job) return;
    const at = now();
    const condition = (type: string, reason: string, message: string): Record<string, string> => ({ type, status: 'True', reason, message, lastProbeTime: at, lastTransitionTime: at });
    const previous = (job['status'] as Record<string, unknown> | undefined) ?? {};
    const status = exitCode === 0
      ? { ...previous, active: 0, succeeded: 1, completionTime: at, conditions: [condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'), condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')] }
      : { ...previous, active: 0, failed: 1, conditions: [condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'), condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] };
    store.update(jobs, namespace, jobName, { ...job, status }, { subresource: 'status' });
  };

  const start = (pod: KubeObject): void => {
    const spec = pod['spec'] as PodSpec | undefined;
    const container = spec?.containers?.[0];
    const secretName = spec?.volumes?.find((v) => v.secret?.secretName)?.secret?.secretName;
    const secret = secretName ? store.find(typeOf('v1', 'Secret'), pod.metadata.namespace, secretName) : undefined;
    const task = (secret?.['data'] as Record<string, string> | undefined)?.[INSTALLER_SPEC_KEY];
    if (!container || !task) {
      finish(pod, `sandbox: the task Secret ${secretName ?? '(none)'} is not there to mount\n`, 1);
      return;
    }
    const specFile = join(dir, `${pod.metadata.name ?? 'pod'}-${INSTALLER_SPEC_KEY}`);
    writeFileSync(specFile, Buffer.from(task, 'base64'), { mode: 0o600 });
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));
    started.push(pod.metadata.name ?? '');
    const child = execa('node', [fleetdeckEntry(), ...(container.args ?? ['dataplane', 'installer']), '--spec', specFile], {
      reject: false, all: true, stdin: 'ignore',
      env: { ...env, ...options.helmEnv, KUBECONFIG: options.kubeconfig, FLEETDECK_HELM: options.helmBin, FLEETDECK_DATA_DIR: join(dir, 'data'), HOME: dir },
      extendEnv: true,
    });
    running.add(child);
    let output = '';
    let flushing: NodeJS.Timeout | null = null;
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      flushing ??= setTimeout(() => {
        flushing = null;
        writeLog(pod, output);
      }, 50);
    });
    void child.then((result) => {
      running.delete(child);
      if (flushing) clearTimeout(flushing);
      finish(pod, String(result.all ?? output), result.exitCode ?? 1);
    });
  };

  const admit = (pod: KubeObject): void => {
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    // Store events arrive inside the write that caused them: start the container after it.
    setImmediate(() => start(pod));
  };
  const unsubscribe = store.subscribe((event) => {
    if (event.type === 'ADDED' && event.resource === '/pods' && isInstallerPod(event.object)) admit(event.object);
  });
  // Pods made before this node ran (a host that just took over, or was still starting): their containers run now.
  for (const pod of store.list(podType(store), undefined)) {
    const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
    if (isInstallerPod(pod) && phase !== 'Succeeded' && phase !== 'Failed') admit(pod);
  }

  return {
    started,
    async stop() {
      unsubscribe();
      for (const child of running) child.kill('SIGKILL');
      await Promise.all([...running].map((child) => child.catch(() => undefined)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
