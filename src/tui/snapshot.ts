import { CLUSTER_COLUMNS } from '../../views/format.js';
import type { CockpitSource } from '../../views/source.js';
import { renderTable } from '../cli/table.js';

/** What `fleetdeck` prints instead of the interactive cockpit when stdout is not a terminal. */
export async function renderSnapshot(source: CockpitSource, now = Date.now()): Promise<string> {
  const clusters = await source.listClusters();
  const { databaseTarget, sandbox, readonly } = source.status;
  const badges = [sandbox ? 'SANDBOX' : '', readonly ? 'READ-ONLY' : ''].filter(Boolean);
  const status = [`db ${databaseTarget}`, ...badges, `clusters ${clusters.length}`].join(' | ');
  const table = clusters.length === 0
    ? 'no clusters yet: add one with `fleetdeck clusters add NAME --provider k3d`'
    : renderTable(CLUSTER_COLUMNS.map((column) => column.title),
      clusters.map((cluster) => CLUSTER_COLUMNS.map((column) => column.cell(cluster, now))));
  return `${status}\n${table}\n`;
}
