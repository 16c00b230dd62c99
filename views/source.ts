import type { ClusterInstallSummary } from '../core/dataplane/deploy-service.js';
import type { InstallView, TriggerResult } from '../core/dataplane/types.js';
import type { RepairPlan } from '../core/drift/plan-store.js';
import type { DriftReport } from '../core/drift/types.js';
import type { EngineEvent } from '../core/events.js';
import type { ClusterRecord, Provider } from '../core/inventory/types.js';
import type { OperationRecord } from '../core/operations/types.js';
import type { AppsSource } from './panels/apps-source.js';
import type { DrSource } from './panels/dr-source.js';

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

/** Drift for the Drift panel; `drift.scanned` events say when `lastReport()` changed. */
export interface DriftSource {
  scan(): Promise<DriftReport>;
  lastReport(): DriftReport | null;
  /** A plan for these items; `destructive` names the items whose destructive choice is wanted (delete, replace). */
  plan(only: readonly string[], options?: { destructive?: readonly string[] }): Promise<RepairPlan>;
  /** Applies exactly that plan; resolves with its repair operation (null when it had nothing to do). */
  apply(planId: string): Promise<OperationRecord | null>;
}

/** Environment create/delete as journaled operations; `operations` events carry their progress. */
export interface LifecycleSource {
  /** Resolves when the operation has finished; rejects at its first failing step (details.operation = id). */
  create(name: string, provider: Provider): Promise<OperationRecord>;
  delete(name: string): Promise<OperationRecord>;
  showOperation(id: number): Promise<OperationRecord>;
}

/** The dataplane installer for the Installs panel; `installs` events say when something moved. */
export interface InstallsSource {
  list(): Promise<ClusterInstallSummary[]>;
  show(cluster: string): Promise<InstallView>;
  trigger(cluster: string): Promise<TriggerResult>;
  retry(cluster: string): Promise<TriggerResult>;
  /** Installs a scheduler runs at once (configuration); a bulk deploy keeps at most this many of its own active. */
  readonly concurrency?: number;
}

export interface CockpitSource {
  readonly status: CockpitStatus;
  listClusters(): Promise<ClusterRecord[]>;
  /** Returns the unsubscribe function. */
  subscribe(listener: CockpitEventListener): () => void;
  /** Removes only the inventory row; used by `D` when the source has no `lifecycle`. */
  removeCluster(name: string): Promise<void>;
  readonly drift?: DriftSource;
  readonly lifecycle?: LifecycleSource;
  readonly installs?: InstallsSource;
  /** The Apps panel's middleware tree and day-2 actions. */
  apps?: AppsSource;
  /** The DR panel's plans, executions and their actions. */
  dr?: DrSource;
  /** One-line notices from outside the cockpit (the sandbox world moving a cluster); returns the unsubscribe function. */
  notices?(listener: (text: string) => void): () => void;
}
