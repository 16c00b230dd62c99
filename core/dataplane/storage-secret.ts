import { FleetError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import type { StageEnv } from './stage-env.js';
import { STORAGE_SECRET_NAME } from './stage-plan.js';

/**
 * The live `primus-lens-storage-config` Secret is the source of storage configuration (storage sync copies it INTO
 * the database), so this stage never drops or overwrites a field of it. It creates the Secret only when it is
 * missing, and only from complete data; an existing one is checked (and, for Lens-managed storage, given the
 * endpoint keys it lacks).
 */

/** What the applications cannot start without when storage is external. */
export const EXTERNAL_REQUIRED_KEYS = ['postgres_host', 'postgres_user', 'postgres_password', 'opensearch_host', 'prometheus_url'] as const;

export type StorageSecretResult =
  | { action: 'created'; keys: number }
  | { action: 'extended'; added: string[] }
  | { action: 'unchanged'; keys: number };

/** The endpoints of the storage the infrastructure stage installed (Lens-managed), plus its stored secret values. */
export function managedStorageData(env: StageEnv): Record<string, string> {
  const ns = env.cluster.namespace;
  return {
    storage_mode: 'lens-managed',
    postgres_host: `primus-lens-postgres-rw.${ns}.svc`,
    postgres_port: '5432',
    opensearch_host: `primus-lens-opensearch.${ns}.svc`,
    opensearch_port: '9200',
    prometheus_url: `http://primus-lens-victoria-metrics.${ns}.svc:8428`,
    ...env.cluster.storageSecrets,
  };
}

function decode(secret: KubeObject): Record<string, string> {
  const data = (secret['data'] ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

function encode(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
}

function missingKeys(data: Record<string, string>): string[] {
  return EXTERNAL_REQUIRED_KEYS.filter((key) => !(data[key] ?? '').trim());
}

function where(env: StageEnv): string {
  return `Secret ${STORAGE_SECRET_NAME} in namespace ${env.cluster.namespace} of cluster ${env.cluster.name}`;
}

/** Why the database copy is incomplete, as a hint the operator can act on. */
function incompleteHint(env: StageEnv): string {
  const { cluster } = env;
  const create = `Create the ${where(env)} with ${EXTERNAL_REQUIRED_KEYS.join(', ')} (storage sync reads it within 30 s), or choose Lens-managed storage: \`fleetdeck dataplane storage-mode ${cluster.name} lens-managed\`; then \`fleetdeck installs retry ${cluster.name}\`.`;
  if (cluster.storageSecretsProblem) return `The stored secret values cannot be used (${cluster.storageSecretsProblem}). ${create}`;
  if (!cluster.storageSyncedAt) return `Storage sync has not read this cluster's Secret yet. ${create}`;
  return create;
}

async function createSecret(env: StageEnv, data: Record<string, string>): Promise<void> {
  const { namespace } = env.cluster;
  await ensureNamespace(env);
  const labels = { 'app.kubernetes.io/managed-by': 'fleetdeck', 'app.kubernetes.io/part-of': 'primus-lens' };
  await env.kube.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: STORAGE_SECRET_NAME, namespace, labels }, type: 'Opaque', data: encode(data) },
    { signal: env.signal });
}

/** check, then act: see the module comment. Throws (the stage fails) rather than write incomplete or conflicting data. */
export async function applyStorageSecret(env: StageEnv): Promise<StorageSecretResult> {
  const { cluster } = env;
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace: cluster.namespace, name: STORAGE_SECRET_NAME };
  const existing = await env.kube.find(ref, { signal: env.signal });
  if (!existing) {
    const data = cluster.storageMode === 'external'
      ? { ...cluster.storageConfig, ...cluster.storageSecrets, storage_mode: 'external' }
      : managedStorageData(env);
    const missing = cluster.storageMode === 'external' ? missingKeys(data) : [];
    if (missing.length > 0) {
      throw new FleetError('VALIDATION', `the ${where(env)} does not exist, and the storage config fleetdeck holds lacks ${missing.join(', ')}: it is not created from incomplete data`,
        incompleteHint(env), { missing });
    }
    await createSecret(env, data);
    return { action: 'created', keys: Object.keys(data).length };
  }

  const live = decode(existing);
  const declared = (live['storage_mode'] ?? '').trim();
  if (declared && declared !== cluster.storageMode) {
    throw new FleetError('CONFLICT', `the ${where(env)} declares storage_mode "${declared}", but this install is ${cluster.storageMode}`,
      `Either fix storage_mode in the Secret, or choose the mode it declares (\`fleetdeck dataplane storage-mode ${cluster.name} ${declared}\`), then deploy again. The Secret was left as it is.`);
  }
  if (cluster.storageMode === 'external') {
    const missing = missingKeys(live);
    if (missing.length > 0) {
      throw new FleetError('VALIDATION', `the ${where(env)} lacks ${missing.join(', ')}`,
        `Add them to the Secret (\`kubectl -n ${cluster.namespace} edit secret ${STORAGE_SECRET_NAME}\`); fleetdeck never overwrites it. Then \`fleetdeck installs retry ${cluster.name}\`.`, { missing });
    }
    return { action: 'unchanged', keys: Object.keys(live).length };
  }
  // Lens-managed: add the endpoint keys it lacks; every existing field keeps its value.
  const wanted = managedStorageData(env);
  const added = Object.keys(wanted).filter((key) => !(key in live));
  if (added.length === 0) return { action: 'unchanged', keys: Object.keys(live).length };
  const extra = Object.fromEntries(added.map((key) => [key, wanted[key]!]));
  // The read resourceVersion makes this a compare-and-swap: a concurrent edit fails the stage instead of being lost.
  await env.kube.replace({ ...existing, data: { ...((existing['data'] ?? {}) as Record<string, string>), ...encode(extra) } }, { signal: env.signal });
  return { action: 'extended', added };
}

async function ensureNamespace(env: StageEnv): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'Namespace', name: env.cluster.namespace };
  if (await env.kube.find(ref, { signal: env.signal })) return;
  await env.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: env.cluster.namespace } }, { signal: env.signal }).catch(() => undefined);
}
