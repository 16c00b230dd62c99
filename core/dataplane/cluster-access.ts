import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../db/database.js';
import { FleetError, asFleetError } from '../errors.js';
import type { KubeConnection } from '../kube/connection.js';
import { loadKubeConfig } from '../kube/connection.js';
import { createKubeGateway } from '../kube/gateways.js';
import type { KubeGateway } from '../kube/types.js';
import { CLUSTER_COLUMNS, connectionFor } from './cluster-store.js';
import type { HelmTarget } from './helm-client.js';
import type { ClusterRow } from './rows.js';
import type { SecretBox } from './secret-box.js';
import type { StageCluster } from './stage-env.js';
import type { StorageMode } from './types.js';

/** Builds (or finds) the gateway for a connection; may be async when it comes from the engine's fleet. */
export type KubeFactory = (connection: KubeConnection) => KubeGateway | Promise<KubeGateway>;

export const defaultKubeFactory: KubeFactory = (connection) => createKubeGateway(connection);

export interface ClusterAccess {
  cluster: StageCluster;
  kube: KubeGateway;
  helmTarget: HelmTarget;
  /** Removes the temporary kubeconfig written for helm. */
  release(): void;
}

export async function loadClusterRowById(db: Database, id: number): Promise<ClusterRow> {
  const result = await db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM dataplane_clusters WHERE id = $1`, [id]);
  const row = result.rows[0];
  if (!row) throw new FleetError('NOT_FOUND', `dataplane cluster ${id} no longer exists`, 'Nothing to install.');
  return row;
}

export function noConnection(name: string): FleetError {
  return new FleetError('VALIDATION', `cluster "${name}" has no connection data`,
    `Give it a kube context or a server and token: \`fleetdeck dataplane add ${name} --context CTX\`.`, { permanent: true });
}

/** A failure that retrying cannot fix (missing or unreadable connection data): the task fails at once. */
export function permanentFailure(error: unknown): FleetError {
  const fleet = asFleetError(error);
  return new FleetError(fleet.code, fleet.message, fleet.hint, { ...fleet.details, permanent: true });
}

export function isPermanentFailure(error: unknown): boolean {
  return error instanceof FleetError && error.details['permanent'] === true;
}

/** How to reach the cluster; throws a permanent failure when that is impossible (nothing to retry). */
export function requireConnection(row: ClusterRow, box: SecretBox | null): KubeConnection {
  let connection: KubeConnection | null;
  try {
    connection = connectionFor(row, box);
  } catch (error) {
    throw permanentFailure(error);
  }
  if (!connection) throw noConnection(row.name);
  return connection;
}

/** The stage's view of a cluster; stored storage secrets are decrypted here, and an unreadable one is noted, not thrown. */
export function stageClusterOf(row: ClusterRow, storageMode: StorageMode, box: SecretBox | null): StageCluster {
  let storageSecrets: Record<string, string> = {};
  let storageSecretsProblem: string | null = null;
  if (row.storage_secrets_enc) {
    if (!box) storageSecretsProblem = 'FLEETDECK_SECRET_KEY is not set';
    else {
      try {
        storageSecrets = box.openJson<Record<string, string>>(row.storage_secrets_enc);
      } catch (error) {
        storageSecretsProblem = asFleetError(error).message;
      }
    }
  }
  return {
    name: row.name, namespace: row.namespace, storageMode, helmValues: row.helm_values,
    managedStorageConfig: row.managed_storage_config, storageConfig: row.storage_config, storageSecrets, storageSecretsProblem,
    storageSyncedAt: row.storage_synced_at === null ? null : new Date(row.storage_synced_at).toISOString(),
  };
}

/**
 * Everything a stage needs to reach one cluster. For connection data held in the database, helm gets a 0600
 * kubeconfig in a private temp dir that lives only as long as the task runs here.
 */
export async function openClusterAccess(row: ClusterRow, storageMode: StorageMode, box: SecretBox | null, kubeFactory: KubeFactory): Promise<ClusterAccess> {
  const connection = requireConnection(row, box);
  const kube = await Promise.resolve(kubeFactory(connection)).catch((error: unknown) => {
    // A context the kubeconfig does not have will not appear by retrying; a refused connection might.
    const fleet = asFleetError(error);
    throw fleet.code === 'VALIDATION' || fleet.code === 'NOT_FOUND' ? permanentFailure(fleet) : fleet;
  });
  let dir: string | null = null;
  let helmTarget: HelmTarget;
  if (connection.kind === 'server') {
    dir = mkdtempSync(join(tmpdir(), 'fleetdeck-kube-'));
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, loadKubeConfig(connection).exportConfig(), { mode: 0o600 });
    helmTarget = { kubeconfigPath: path, kubeContext: connection.name };
  } else {
    // The gateway's context, not the stored name: a fleet cluster name (`dev`) resolves to its context (`kind-dev`).
    const context = kube.context || (connection.kind === 'kubeconfig-file' ? connection.context : undefined);
    helmTarget = {
      ...(connection.kind === 'kubeconfig-file' && connection.path ? { kubeconfigPath: connection.path } : {}),
      ...(context ? { kubeContext: context } : {}),
    };
  }
  return {
    cluster: stageClusterOf(row, storageMode, box),
    kube,
    helmTarget,
    release: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
