import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import type { KubeFactory } from './cluster-access.js';
import { CLUSTER_COLUMNS, connectionFor } from './cluster-store.js';
import type { ClusterRow } from './rows.js';
import type { SecretBox } from './secret-box.js';
import { STORAGE_SECRET_NAME } from './stage-plan.js';
import { STORAGE_MODES } from './types.js';
import type { StorageMode } from './types.js';

export interface StorageSyncReport {
  synced: string[];
  /** No `primus-lens-storage-config` Secret: nothing to sync, not an error. */
  skipped: string[];
  unreachable: { cluster: string; error: string }[];
}

export interface StorageSyncOptions {
  db: Database;
  secrets: SecretBox | null;
  kubeFactory: KubeFactory;
  /** Per-cluster deadline, so a dead cluster costs its own slot only (default 5 s). */
  timeoutMs?: number;
  concurrency?: number;
}

const SECRET_KEY = /pass|secret|token|key|credential/i;

function decode(secret: KubeObject): Record<string, string> {
  const data = (secret['data'] ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** One cluster: read the Secret, split plain settings from secret values, decide the storage mode. */
async function syncOne(options: StorageSyncOptions, row: ClusterRow, report: StorageSyncReport): Promise<void> {
  try {
    const connection = connectionFor(row, options.secrets);
    if (!connection) {
      report.skipped.push(row.name);
      return;
    }
    const kube = await options.kubeFactory(connection);
    const secret = await kube.find({ apiVersion: 'v1', kind: 'Secret', namespace: row.namespace, name: STORAGE_SECRET_NAME }, { timeoutMs: options.timeoutMs ?? 5000 });
    if (!secret) {
      report.skipped.push(row.name);
      return;
    }
    const data = decode(secret);
    const plain: Record<string, string> = {};
    const hidden: Record<string, string> = {};
    for (const [key, value] of Object.entries(data)) (SECRET_KEY.test(key) ? hidden : plain)[key] = value;
    const declared = (plain['storage_mode'] ?? '').trim();
    const mode: StorageMode = (STORAGE_MODES as readonly string[]).includes(declared) ? declared as StorageMode : (row.storage_mode as StorageMode | null) ?? 'external';
    const sealed = Object.keys(hidden).length > 0 && options.secrets ? options.secrets.sealJson(hidden) : null;
    const warning = Object.keys(hidden).length > 0 && !options.secrets ? 'secret values not stored: FLEETDECK_SECRET_KEY is not set' : null;
    await options.db.query(
      `UPDATE dataplane_clusters SET storage_config = $2::jsonb, storage_secrets_enc = coalesce($3, storage_secrets_enc),
         storage_mode = coalesce(storage_mode, $4), storage_synced_at = now(), storage_sync_error = $5, updated_at = now()
       WHERE id = $1`, [row.id, JSON.stringify(plain), sealed, mode, warning]);
    report.synced.push(row.name);
  } catch (error) {
    const message = errorMessage(error);
    report.unreachable.push({ cluster: row.name, error: message });
    await options.db.query('UPDATE dataplane_clusters SET storage_sync_error = $2, updated_at = now() WHERE id = $1', [row.id, message]).catch(() => undefined);
  }
}

/**
 * One pass of multi_cluster_config_sync: every cluster's storage Secret into the database, concurrently, each
 * under its own deadline: an unreachable cluster is recorded and never delays the others.
 */
export async function syncStorageConfigs(options: StorageSyncOptions): Promise<StorageSyncReport> {
  const rows = (await options.db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM dataplane_clusters WHERE deleted_at IS NULL ORDER BY name`)).rows;
  const report: StorageSyncReport = { synced: [], skipped: [], unreachable: [] };
  const queue = [...rows];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 8, queue.length) }, async () => {
    for (let row = queue.shift(); row; row = queue.shift()) await syncOne(options, row, report);
  });
  await Promise.all(workers);
  return report;
}
