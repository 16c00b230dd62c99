/**
 * Which Jobs and pods are the dataplane installer's (what the Job runner labels them), told without loading the
 * dataplane: the sandbox host asks for every Job while its clusters start.
 */
import type { KubeObject } from '../kube-api/json.js';

const INSTALLER_APP = 'primus-lens-installer';

export function isInstallerJob(job: KubeObject): boolean {
  return job.metadata.labels?.['app.kubernetes.io/name'] === INSTALLER_APP;
}

export function isInstallerPod(pod: KubeObject): boolean {
  return pod.metadata.labels?.['app.kubernetes.io/name'] === INSTALLER_APP && typeof pod.metadata.labels['job-name'] === 'string';
}
