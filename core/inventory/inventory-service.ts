import type { MutationContext } from '../audit/audited.js';
import { audited } from '../audit/audited.js';
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

  /** Validation runs inside the audited action, so invalid input is recorded too (result `invalid`). */
  async add(spec: ClusterSpec): Promise<ClusterRecord> {
    const cluster = await audited(this.deps, 'cluster.add', spec.name || null, () => this.insert(validateClusterSpec(spec)),
      (added) => ({ provider: added.provider, subnet: added.subnet, ports: [added.pfPort, added.httpPort, added.httpsPort] }));
    await this.deps.relay.publish({ topic: 'inventory', type: 'cluster.added', target: cluster.name });
    return cluster;
  }

  async remove(name: string): Promise<ClusterRecord> {
    const removed = await audited(this.deps, 'cluster.remove', name || null, async () => {
      validateClusterName(name);
      const row = await deleteCluster(this.deps.db, name);
      if (!row) throw new NotFoundError('cluster', name, 'List the inventory with `fleetdeck clusters ls`.');
      return row;
    });
    await this.deps.relay.publish({ topic: 'inventory', type: 'cluster.removed', target: name });
    return removed;
  }

  async importCsv(text: string, source: string): Promise<CsvImportReport> {
    const report = await audited(this.deps, 'cluster.import-csv', source,
      () => importCsv(text, (spec) => this.insert(spec), (name) => getCluster(this.deps.db, name)),
      (r) => ({ total: r.total, imported: r.imported, skipped: r.skipped, failed: r.failed }));
    if (report.imported > 0) {
      await this.deps.relay.publish({ topic: 'inventory', type: 'clusters.imported', data: { imported: report.imported } });
    }
    return report;
  }

  async exportCsv(): Promise<string> {
    return exportCsv(await this.list());
  }

  private async insert(spec: ClusterSpec): Promise<ClusterRecord> {
    try {
      return await insertCluster(this.deps.db, spec, this.deps.ranges);
    } catch (error) {
      throw await explainAddFailure(this.deps.db, spec, error);
    }
  }
}
