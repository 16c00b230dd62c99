import type { Queryable } from '../db/database.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { KubeConnection } from '../kube/connection.js';
import type { ClusterRow } from './rows.js';
import { toCluster } from './rows.js';
import type { SecretBox } from './secret-box.js';
import { requireSecretBox } from './secret-box.js';
import type { ClusterSource, DataplaneCluster, StorageMode } from './types.js';
import { STORAGE_MODES } from './types.js';

export interface KubeCredentials {
  token?: string;
  clientCertificate?: string;
  clientKey?: string;
}

/** A cluster configuration as an operator (or the cluster sync) gives it. */
export interface ClusterConfigInput {
  name: string;
  source?: ClusterSource;
  storageMode?: StorageMode | null;
  namespace?: string;
  kubeContext?: string;
  kubeServer?: string;
  kubeCaData?: string;
  credentials?: KubeCredentials;
  managedStorageConfig?: Record<string, unknown>;
  helmValues?: Record<string, unknown>;
}

const NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

export function validateStorageMode(value: string): StorageMode {
  if ((STORAGE_MODES as readonly string[]).includes(value)) return value as StorageMode;
  throw new ValidationError(`storage mode "${value}" is not known`, 'Use external or lens-managed.', 'storage_mode');
}

export function validateClusterInput(input: ClusterConfigInput): void {
  if (!NAME.test(input.name)) {
    throw new ValidationError(`cluster name "${input.name}" is not valid`, 'Use lowercase letters, digits, dots and dashes (like a Kubernetes name).', 'name');
  }
  if (input.kubeContext !== undefined && input.kubeServer !== undefined) {
    throw new ValidationError('give either a kube context or a server URL, not both', 'Use --context CTX, or --server URL with --token-file.');
  }
  if (input.kubeServer !== undefined) {
    try {
      new URL(input.kubeServer);
    } catch {
      throw new ValidationError(`server "${input.kubeServer}" is not a URL`, 'Use https://HOST:PORT.', 'server');
    }
  }
}

export const CLUSTER_COLUMNS = `id, name, source, dataplane_status, storage_mode, storage_config, storage_secrets_enc,
  managed_storage_config, namespace, helm_values, kube_context, kube_server, kube_ca_data, kube_credentials_enc,
  storage_synced_at, storage_sync_error, created_at, updated_at, deleted_at`;

export async function findClusterRow(db: Queryable, name: string, options: { lock?: boolean } = {}): Promise<ClusterRow | null> {
  const result = await db.query<ClusterRow>(
    `SELECT ${CLUSTER_COLUMNS} FROM dataplane_clusters WHERE name = $1 AND deleted_at IS NULL${options.lock ? ' FOR UPDATE' : ''}`, [name]);
  return result.rows[0] ?? null;
}

export async function requireClusterRow(db: Queryable, name: string, options: { lock?: boolean } = {}): Promise<ClusterRow> {
  const row = await findClusterRow(db, name, options);
  if (!row) throw new NotFoundError('cluster', name, 'List the dataplane clusters with `fleetdeck installs ls`, or add one with `fleetdeck dataplane add`.');
  return row;
}

export async function listClusters(db: Queryable): Promise<DataplaneCluster[]> {
  const result = await db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM dataplane_clusters WHERE deleted_at IS NULL ORDER BY name`);
  return result.rows.map(toCluster);
}

/** Creates the configuration, or updates the given fields of an existing (or soft-deleted) one. */
export async function upsertCluster(db: Queryable, box: SecretBox | null, input: ClusterConfigInput): Promise<DataplaneCluster> {
  validateClusterInput(input);
  const credentials = input.credentials && Object.values(input.credentials).some((v) => v !== undefined)
    ? requireSecretBox(box, 'cluster credentials').sealJson(input.credentials) : null;
  const result = await db.query<ClusterRow>(
    `INSERT INTO dataplane_clusters AS c (name, source, storage_mode, namespace, kube_context, kube_server, kube_ca_data,
       kube_credentials_enc, managed_storage_config, helm_values)
     VALUES ($1, $2, $3, coalesce($4, 'primus-lens'), $5, $6, $7, $8, coalesce($9::jsonb, '{}'::jsonb), coalesce($10::jsonb, '{}'::jsonb))
     ON CONFLICT (name) DO UPDATE SET
       source = EXCLUDED.source,
       storage_mode = coalesce($3, c.storage_mode),
       namespace = coalesce($4, c.namespace),
       kube_context = CASE WHEN $5::text IS NOT NULL THEN $5 WHEN $6::text IS NOT NULL THEN NULL ELSE c.kube_context END,
       kube_server = CASE WHEN $6::text IS NOT NULL THEN $6 WHEN $5::text IS NOT NULL THEN NULL ELSE c.kube_server END,
       kube_ca_data = CASE WHEN $6::text IS NOT NULL THEN $7 WHEN $5::text IS NOT NULL THEN NULL ELSE c.kube_ca_data END,
       kube_credentials_enc = CASE WHEN $8::text IS NOT NULL THEN $8 WHEN $5::text IS NOT NULL THEN NULL ELSE c.kube_credentials_enc END,
       managed_storage_config = coalesce($9::jsonb, c.managed_storage_config),
       helm_values = coalesce($10::jsonb, c.helm_values),
       deleted_at = NULL,
       dataplane_status = CASE WHEN c.deleted_at IS NOT NULL THEN 'pending' ELSE c.dataplane_status END,
       updated_at = now()
     RETURNING ${CLUSTER_COLUMNS}`,
    [input.name, input.source ?? 'manual', input.storageMode ?? null, input.namespace ?? null, input.kubeContext ?? null,
      input.kubeServer ?? null, input.kubeCaData ?? null, credentials,
      input.managedStorageConfig ? JSON.stringify(input.managedStorageConfig) : null,
      input.helmValues ? JSON.stringify(input.helmValues) : null]);
  return toCluster(result.rows[0]!);
}

/** How to reach a cluster: its kubeconfig context, or its server with the decrypted credentials. */
export function connectionFor(row: ClusterRow, box: SecretBox | null): KubeConnection | null {
  if (row.kube_context) return { kind: 'kubeconfig-file', context: row.kube_context };
  if (!row.kube_server) return null;
  const credentials = row.kube_credentials_enc
    ? requireSecretBox(box, `the credentials of cluster "${row.name}"`).openJson<KubeCredentials>(row.kube_credentials_enc) : {};
  return {
    kind: 'server', name: row.name, server: row.kube_server,
    ...(row.kube_ca_data ? { certificateAuthority: row.kube_ca_data } : {}),
    // Plain http has no TLS to verify (sandbox clusters); client-node insists it be said.
    ...(row.kube_server.startsWith('http:') ? { insecureSkipTlsVerify: true } : {}),
    ...(credentials.token === undefined ? {} : { token: credentials.token }),
    ...(credentials.clientCertificate === undefined ? {} : { clientCertificate: credentials.clientCertificate }),
    ...(credentials.clientKey === undefined ? {} : { clientKey: credentials.clientKey }),
  };
}
