/**
 * Restoring a backup over a running instance's data (`apps restore NAME --yes`, no --into):
 *   1. verify: the archive is decrypted, checked against its sha256 and unpacked beside the data directory; a
 *      wrong key or a tampered archive stops here, with nothing touched;
 *   2. stop: the instance's workload is scaled to zero and its pod is gone (the middleware must not write while
 *      its files are swapped);
 *   3. replace: the data directory is moved aside to `<dir>.pre-restore-<time>` and the restored one takes its place;
 *   4. start: the workload is scaled back up and waited for.
 * If anything fails after the stop, the instance is started again before the error is reported.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FleetError } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import { restoreBackup } from './backup/index.js';
import type { BackupKey, BackupManifest, BackupStore } from './backup/index.js';
import { isPlain } from './fields.js';
import { refOf, stopPods } from './lifecycle.js';
import { LABELS } from './model.js';

export interface InPlaceRestore {
  kube: KubeGateway;
  namespace: string;
  instance: string;
  dataDir: string;
  store: BackupStore;
  name: string;
  key: BackupKey;
  /** How long the instance may take to stop and to start again; default 60 s each. */
  timeoutMs?: number;
}

export interface InPlaceResult {
  manifest: BackupManifest;
  /** Where the data that was replaced now is. */
  previous: string | null;
  /** The instance's workload was stopped and started again. */
  restarted: boolean;
}

async function workloadOf(kube: KubeGateway, namespace: string, instance: string): Promise<KubeObject | undefined> {
  return kube.find({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: instance });
}

async function scale(kube: KubeGateway, workload: KubeObject, replicas: number): Promise<void> {
  await kube.patch(refOf(workload), { spec: { replicas } }, 'merge');
}

async function waitAvailable(kube: KubeGateway, workload: KubeObject, replicas: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await kube.find(refOf(workload));
    const status = live?.['status'];
    if (isPlain(status) && Number(status['readyReplicas'] ?? 0) >= replicas
      && Number(status['observedGeneration'] ?? 0) >= (live?.metadata.generation ?? 0)) return;
    if (Date.now() > deadline) {
      throw new FleetError('TIMEOUT', `instance ${workload.metadata.name ?? ''} did not come back within ${Math.round(timeoutMs / 1000)} s after the restore`,
        `The data is restored; check its pod (\`kubectl -n ${workload.metadata.namespace ?? ''} get pods -l ${LABELS.instance}=${workload.metadata.name ?? ''}\`).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function restoreInPlace(options: InPlaceRestore): Promise<InPlaceResult> {
  const { kube, namespace, instance, dataDir } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  const staged = join(dirname(dataDir), `.${basename(dataDir)}.restore-${randomBytes(3).toString('hex')}`);
  await mkdir(dirname(dataDir), { recursive: true });
  let manifest: BackupManifest;
  try {
    manifest = await restoreBackup({ store: options.store, name: options.name, key: options.key, targetDir: staged });
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
  const workload = await workloadOf(kube, namespace, instance);
  const replicas = isPlain(workload?.['spec']) && typeof workload['spec']['replicas'] === 'number' ? workload['spec']['replicas'] : 1;
  let previous: string | null = null;
  try {
    if (workload) {
      await scale(kube, workload, 0);
      await stopPods(kube, namespace, `${LABELS.instance}=${instance}`, `instance ${instance}`, timeoutMs);
    }
    if (existsSync(dataDir)) {
      previous = `${dataDir}.pre-restore-${stamp}`;
      await rename(dataDir, previous);
    }
    await rename(staged, dataDir);
  } finally {
    await rm(staged, { recursive: true, force: true });
    if (workload) await scale(kube, workload, Math.max(1, replicas));
  }
  if (workload) await waitAvailable(kube, workload, Math.max(1, replicas), timeoutMs);
  return { manifest, previous, restarted: workload !== undefined };
}
