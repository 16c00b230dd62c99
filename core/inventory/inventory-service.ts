import type { MutationContext } from '../audit/audited.js';
import { audited } from '../audit/audited.js';
import { recordAudit } from '../audit/audit-log.js';
import { auditedTransaction } from '../audit/audited-transaction.js';
import type { Queryable } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import { NotFoundError } from '../errors.js';
import { explainAddFailure } from './add-errors.js';
import type { AllocationRanges } from './allocation.js';
import { insertCluster } from './allocation.js';
import { exportCsv, importCsv } from './csv.js';
import type { CsvImportReport } from './csv.js';
import { deleteCluster, getCluster, listClusters } from './queries.js';
import type { ClusterRecord, ClusterSpec } from './types.js';
import { validateClusterName, validateClusterSpec } from './validation.js';

export interface InventoryDeps extends MutationContext {
  relay: EventRelay;
  ranges: AllocationRanges;
}

/** Add, show, list and remove clusters; import and export Kindler's CSV. */
export class InventoryService {
  constructor(private readonly deps: InventoryDeps) {}

  list(): Promise<ClusterRecord[]> {
    return listClusters(this.deps.db);
  }

  async show(name: string): Promise<ClusterRecord> {
    const cluster = await getCluster(this.deps.db, name);
    if (!cluster) throw new NotFoundError('cluster', name, 'List the inventory with `fleetdeck clusters ls`.');
    return cluster;
  }

  /**
   * Validation runs inside the audited change, so invalid input is recorded too (result `invalid`). The row, its
   * audit entry and the NOTIFY commit together: a crash never leaves a cluster no one was told about.
   */
  add(spec: ClusterSpec): Promise<ClusterRecord> {
    return auditedTransaction(this.deps, 'cluster.add', spec.name || null, {
      run: (tx) => this.insert(tx, validateClusterSpec(spec)),
      describe: (added) => ({ provider: added.provider, subnet: added.subnet, ports: [added.pfPort, added.httpPort, added.httpsPort] }),
      events: (added) => [{ topic: 'inventory', type: 'cluster.added', target: added.name }],
      explain: (error) => explainAddFailure(this.deps.db, spec, error),
    });
  }

  remove(name: string): Promise<ClusterRecord> {
    return auditedTransaction(this.deps, 'cluster.remove', name || null, {
      run: async (tx) => {
        validateClusterName(name);
        const row = await deleteCluster(tx, name);
        if (!row) throw new NotFoundError('cluster', name, 'List the inventory with `fleetdeck clusters ls`.');
        return row;
      },
      events: () => [{ topic: 'inventory', type: 'cluster.removed', target: name }],
    });
  }

  /**
   * Each row is its own atomic insert with its own `cluster.add` audit entry, so one bad row never half-imports and
   * a crash keeps every row imported so far, audited. The import's own entry is `partial` when some rows failed.
   * Other processes hear of the import once, at the end (their fallback re-read covers a crash in between).
   */
  async importCsv(text: string, source: string): Promise<CsvImportReport> {
    const report = await audited(this.deps, 'cluster.import-csv', source,
      () => importCsv(text, (spec) => this.importRow(spec, source), (name) => getCluster(this.deps.db, name)),
      (r) => ({ total: r.total, imported: r.imported, skipped: r.skipped, failed: r.failed, errors: r.errors.slice(0, 100) }),
      (r) => (r.failed > 0 ? 'partial' : 'ok'));
    if (report.imported > 0) {
      await this.deps.relay.publish({ topic: 'inventory', type: 'clusters.imported', data: { imported: report.imported } });
    }
    return report;
  }

  private async importRow(spec: ClusterSpec, source: string): Promise<ClusterRecord> {
    try {
      return await this.deps.db.transaction(async (tx) => {
        const added = await this.insert(tx, spec);
        await recordAudit(tx, this.deps.actor, { action: 'cluster.add', target: added.name, result: 'ok', details: { source, provider: added.provider, subnet: added.subnet, ports: [added.pfPort, added.httpPort, added.httpsPort] } });
        return added;
      });
    } catch (error) {
      throw await explainAddFailure(this.deps.db, spec, error);
    }
  }

  async exportCsv(): Promise<string> {
    return exportCsv(await this.list());
  }

  private insert(tx: Queryable, spec: ClusterSpec): Promise<ClusterRecord> {
    return insertCluster(tx, spec, this.deps.ranges);
  }
}
