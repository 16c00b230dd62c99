import type { CockpitSource, CockpitStatus } from '../../views/source.js';
import { FleetError } from '../../core/errors.js';

/**
 * What the cockpit draws its first frame from while the database is still opening: the frame, the
 * status line saying so, and an inventory that is still loading. Actions wait for the real source.
 */
export function openingSource(status: CockpitStatus): CockpitSource {
  const notYet = () => Promise.reject(new FleetError('UNAVAILABLE', 'the database is still opening', 'Try again in a moment.'));
  return {
    status: { ...status, databaseTarget: `${status.databaseTarget} (opening database…)` },
    listClusters: () => new Promise(() => undefined), // never settles: the table keeps saying "loading"
    subscribe: () => () => undefined,
    removeCluster: notYet,
  };
}
