/** Applying a rendered chart to a sandbox cluster and waiting for it the way `helm --wait` does. */
import type { KubeGateway, KubeObject } from '../../../core/kube/types.js';

const WORKLOAD_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
] as const;

function refOf(object: KubeObject): { apiVersion: string; kind: string; namespace: string; name: string } {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name ?? '' };
}

/** Creates or updates each object; a Job (immutable) is replaced, as a chart hook with before-hook-creation does. */
export async function applyObjects(kube: KubeGateway, objects: readonly KubeObject[]): Promise<void> {
  for (const object of objects) {
    const ref = refOf(object);
    const existing = await kube.find(ref);
    if (existing && object.kind === 'Job') {
      await kube.delete(ref);
      await kube.create(object);
    } else if (existing) {
      await kube.replace({ ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata.resourceVersion } });
    } else {
      await kube.create(object);
    }
  }
}

/** Deletes what a release installed (its workloads carry the instance label). */
export async function deleteReleaseObjects(kube: KubeGateway, namespace: string, release: string): Promise<void> {
  for (const { apiVersion, kind } of WORKLOAD_KINDS) {
    const list = await kube.list(apiVersion, kind, { namespace, labelSelector: `app.kubernetes.io/instance=${release}` });
    for (const item of list.items) await kube.delete({ apiVersion, kind, namespace, name: item.metadata.name ?? '' });
  }
}

function unready(object: KubeObject): boolean {
  const spec = object['spec'] as { replicas?: number } | undefined;
  const status = object['status'] as { readyReplicas?: number } | undefined;
  return (status?.readyReplicas ?? 0) < (spec?.replicas ?? 1);
}

/** Waits until every Deployment and StatefulSet of the release is ready; false when the deadline passes first. */
export async function waitReady(kube: KubeGateway, namespace: string, release: string, timeoutMs: number, pollMs = 150): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lists = await Promise.all(WORKLOAD_KINDS.filter((k) => k.kind !== 'Job').map((k) =>
      kube.list(k.apiVersion, k.kind, { namespace, labelSelector: `app.kubernetes.io/instance=${release}` })));
    if (!lists.flatMap((l) => l.items).some(unready)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Helm's duration syntax: 600s, 5m, 1m30s, 2h (a bare number is seconds). */
export function parseDuration(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const value = Number(m[1]);
    total += m[2] === 'h' ? value * 3_600_000 : m[2] === 'm' ? value * 60_000 : m[2] === 's' ? value * 1000 : value;
    matched += m[0];
  }
  return matched === text ? total : fallbackMs;
}
