import type { Database } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { errorMessage } from '../errors.js';
import type { KubeGateway, KubeObject } from '../kube/types.js';
import { CLUSTER_COLUMNS, upsertCluster } from './cluster-store.js';
import type { KubeCredentials } from './cluster-store.js';
import type { ClusterRow } from './rows.js';
import type { SecretBox } from './secret-box.js';

/** Primus-SaFE's Cluster custom resource (amd.com/v1, cluster-scoped). */
export const PRIMUS_CLUSTER = { apiVersion: 'amd.com/v1', kind: 'Cluster' } as const;

export interface ClusterSyncReport {
  added: string[];
  updated: string[];
  removed: string[];
  errors: { cluster: string; error: string }[];
}

interface ControlPlaneStatus {
  phase?: string;
  certData?: string;
  keyData?: string;
  CAData?: string;
  endpoints?: string[];
}

interface Connection {
  server: string | null;
  ca: string | null;
  credentials: KubeCredentials;
}

function connectionOf(cr: KubeObject): Connection {
  const status = ((cr['status'] as { controlPlaneStatus?: ControlPlaneStatus } | undefined)?.controlPlaneStatus) ?? {};
  const endpoint = status.endpoints?.[0];
  const server = endpoint ? (/^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`) : null;
  return {
    server,
    ca: status.CAData || null,
    credentials: { ...(status.certData ? { clientCertificate: status.certData } : {}), ...(status.keyData ? { clientKey: status.keyData } : {}) },
  };
}

function phaseOf(cr: KubeObject): string {
  return ((cr['status'] as { controlPlaneStatus?: ControlPlaneStatus } | undefined)?.controlPlaneStatus?.phase) ?? '';
}

function sameConnection(row: ClusterRow, wanted: Connection, box: SecretBox | null): boolean {
  if (row.kube_server !== wanted.server || (row.kube_ca_data ?? null) !== wanted.ca) return false;
  if (!row.kube_credentials_enc || !box) return Object.keys(wanted.credentials).length === 0 && !row.kube_credentials_enc;
  try {
    return JSON.stringify(box.openJson(row.kube_credentials_enc)) === JSON.stringify(wanted.credentials);
  } catch {
    return false;
  }
}

/**
 * One pass of cluster_sync_service: Primus-SaFE Cluster resources in the management cluster become cluster
 * configurations. New → pending; existing → connection data updated unless the operator set it (source manual);
 * vanished (or being deleted) → soft-deleted.
 */
export async function syncClusters(db: Database, relay: EventRelay, management: KubeGateway, box: SecretBox | null): Promise<ClusterSyncReport> {
  const report: ClusterSyncReport = { added: [], updated: [], removed: [], errors: [] };
  const list = await management.list(PRIMUS_CLUSTER.apiVersion, PRIMUS_CLUSTER.kind);
  const live = list.items.filter((cr) => !['Deleting', 'Deleted'].includes(phaseOf(cr)) && cr.metadata.name);
  const existing = new Map((await db.query<ClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM dataplane_clusters`)).rows.map((r) => [r.name, r]));
  for (const cr of live) {
    const name = cr.metadata.name!;
    const row = existing.get(name);
    const wanted = connectionOf(cr);
    try {
      if (row && row.deleted_at === null && row.source === 'manual') continue;
      if (row && row.deleted_at === null && sameConnection(row, wanted, box)) continue;
      await upsertCluster(db, box, {
        name, source: 'primus-safe',
        ...(wanted.server ? { kubeServer: wanted.server } : {}),
        ...(wanted.ca ? { kubeCaData: wanted.ca } : {}),
        ...(Object.keys(wanted.credentials).length > 0 ? { credentials: wanted.credentials } : {}),
      });
      (row && row.deleted_at === null ? report.updated : report.added).push(name);
    } catch (error) {
      report.errors.push({ cluster: name, error: errorMessage(error) });
    }
  }
  const liveNames = new Set(live.map((cr) => cr.metadata.name!));
  for (const row of existing.values()) {
    if (row.source !== 'primus-safe' || row.deleted_at !== null || liveNames.has(row.name)) continue;
    await db.query('UPDATE dataplane_clusters SET deleted_at = now(), updated_at = now() WHERE id = $1', [row.id]);
    report.removed.push(row.name);
  }
  if (report.added.length + report.updated.length + report.removed.length > 0) {
    await relay.publish({ topic: 'installs', type: 'clusters.synced', data: { added: report.added, updated: report.updated, removed: report.removed } });
  }
  return report;
}
