import type { KubeGateway, KubeObject } from '../kube/types.js';

const BAD_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError']);

export interface PodProblem {
  pod: string;
  container: string;
  reason: string;
}

interface ContainerStatus {
  name?: string;
  state?: { waiting?: { reason?: string } };
}

export function releaseSelector(release: string): string {
  return `app.kubernetes.io/instance=${release}`;
}

/** Pods of a release stuck in a state that waiting will not fix: the stage fails at once instead of timing out. */
export async function podProblems(kube: KubeGateway, namespace: string, labelSelector: string, signal?: AbortSignal): Promise<PodProblem[]> {
  const pods = await kube.list('v1', 'Pod', { namespace, labelSelector, ...(signal ? { signal } : {}) });
  const problems: PodProblem[] = [];
  for (const pod of pods.items) {
    const status = pod['status'] as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] } | undefined;
    for (const container of [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])]) {
      const reason = container.state?.waiting?.reason;
      if (reason && BAD_REASONS.has(reason)) problems.push({ pod: pod.metadata.name ?? '?', container: container.name ?? '?', reason });
    }
  }
  return problems;
}

function notReady(workload: KubeObject): boolean {
  const spec = workload['spec'] as { replicas?: number } | undefined;
  const status = workload['status'] as { readyReplicas?: number } | undefined;
  return (status?.readyReplicas ?? 0) < (spec?.replicas ?? 1);
}

/** The release's Deployments and StatefulSets that do not have all their replicas ready yet. */
export async function unreadyWorkloads(kube: KubeGateway, namespace: string, release: string, signal?: AbortSignal): Promise<string[]> {
  const selector = { namespace, labelSelector: releaseSelector(release), ...(signal ? { signal } : {}) };
  const [deployments, statefulSets] = await Promise.all([
    kube.list('apps/v1', 'Deployment', selector),
    kube.list('apps/v1', 'StatefulSet', selector),
  ]);
  return [...deployments.items, ...statefulSets.items].filter(notReady).map((w) => `${w.kind}/${w.metadata.name ?? '?'}`);
}

export function describeProblems(problems: readonly PodProblem[]): string {
  return problems.map((p) => `pod ${p.pod} (${p.container}): ${p.reason}`).join('; ');
}
