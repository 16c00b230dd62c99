import type { EngineEvent } from '../core/events.js';
import type { ClusterRecord } from '../core/inventory/types.js';

/**
 * What the cockpit needs from the engine, and nothing more. `src/tui` adapts the Engine to it;
 * tests hand the views an in-memory source. Later panels add capabilities here as optional members,
 * so a source without them simply has no such panel data.
 */
export interface CockpitStatus {
  /** Where the data lives, safe to show (no credentials). */
  databaseTarget: string;
  sandbox: boolean;
  readonly: boolean;
  /** The management cluster (Kindler's devops), which is not an environment and so not a row. */
  managementCluster?: string;
}

export type CockpitEvent = EngineEvent;
export type CockpitEventListener = (event: CockpitEvent) => void;

export interface CockpitSource {
  readonly status: CockpitStatus;
  listClusters(): Promise<ClusterRecord[]>;
  /** Returns the unsubscribe function. */
  subscribe(listener: CockpitEventListener): () => void;
  removeCluster(name: string): Promise<void>;
}
