/** What the executor needs from the rest of the engine. */
import type { SecretBox } from '../../dataplane/secret-box.js';
import type { Database } from '../../db/database.js';
import type { EventRelay } from '../../db/notifications.js';
import type { KubeGateway } from '../../kube/types.js';
import type { ActionHandlers } from '../actions/types.js';

export interface ExecutorDeps {
  db: Database;
  /** Publishes `dr` events; optional so tools and benchmarks can run without one. */
  relay?: EventRelay;
  /** The gateway to a cluster of the inventory, or to the management cluster (MANAGEMENT_CLUSTER). */
  kube(clusterName: string): Promise<KubeGateway>;
  /** Overrides of the action handlers (tests and benchmarks). */
  handlers?: ActionHandlers;
  /** Opens the secrets sealed in snapshots and parameters (FLEETDECK_SECRET_KEY); null: none can be opened. */
  secrets?: SecretBox | null;
}

export interface RunOptions {
  /** How many actions of one workflow may run at once (default 5). */
  parallelism?: number;
  /** A lease not renewed for this long may be taken over by another process (default 15 s). */
  leaseMs?: number;
  /** Take the execution over even if another process seems to hold it (its holder is known to be dead). */
  steal?: boolean;
  /** Identifies this runner in the lease; default host:pid:random. */
  holder?: string;
}

export const DEFAULT_PARALLELISM = 5;
export const DEFAULT_LEASE_MS = 15_000;
