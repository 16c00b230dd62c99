import type { KubeObject } from '../kube/types.js';
import type { StageEnv } from './stage-env.js';
import { STORAGE_SECRET_NAME } from './stage-plan.js';

/** What the applications read: the synced external settings, or the endpoints of the Lens-managed storage. */
export function storageSecretData(env: StageEnv): Record<string, string> {
  const { cluster } = env;
  if (cluster.storageMode === 'external') {
    return { ...cluster.storageConfig, ...cluster.storageSecrets, storage_mode: 'external' };
  }
  const ns = cluster.namespace;
  return {
    storage_mode: 'lens-managed',
    postgres_host: `primus-lens-postgres-rw.${ns}.svc`,
    postgres_port: '5432',
    opensearch_host: `primus-lens-opensearch.${ns}.svc`,
    opensearch_port: '9200',
    prometheus_url: `http://primus-lens-victoria-metrics.${ns}.svc:8428`,
    ...cluster.storageSecrets,
  };
}

function decode(secret: KubeObject): Record<string, string> {
  const data = (secret['data'] ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** check, then act: an identical secret is left alone. */
export async function applyStorageSecret(env: StageEnv): Promise<'created' | 'updated' | 'unchanged'> {
  const { namespace } = env.cluster;
  const wanted = storageSecretData(env);
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace, name: STORAGE_SECRET_NAME };
  const existing = await env.kube.find(ref, { signal: env.signal });
  const data = Object.fromEntries(Object.entries(wanted).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
  const labels = { 'app.kubernetes.io/managed-by': 'fleetdeck', 'app.kubernetes.io/part-of': 'primus-lens' };
  if (!existing) {
    await ensureNamespace(env);
    await env.kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: STORAGE_SECRET_NAME, namespace, labels }, type: 'Opaque', data }, { signal: env.signal });
    return 'created';
  }
  if (sameData(decode(existing), wanted)) return 'unchanged';
  await env.kube.replace({ ...existing, data, metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...labels } } }, { signal: env.signal });
  return 'updated';
}

async function ensureNamespace(env: StageEnv): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'Namespace', name: env.cluster.namespace };
  if (await env.kube.find(ref, { signal: env.signal })) return;
  await env.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: env.cluster.namespace } }, { signal: env.signal }).catch(() => undefined);
}
