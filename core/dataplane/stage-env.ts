import type { Clock } from '../clock.js';
import type { KubeGateway } from '../kube/types.js';
import type { HelmClient, HelmTarget } from './helm-client.js';
import type { StageName } from './stage-plan.js';
import type { StorageMode } from './types.js';

/** What a stage knows about the cluster it installs into; storage secrets are decrypted only here. */
export interface StageCluster {
  name: string;
  namespace: string;
  storageMode: StorageMode;
  helmValues: Record<string, unknown>;
  managedStorageConfig: Record<string, unknown>;
  storageConfig: Record<string, string>;
  storageSecrets: Record<string, string>;
  /** Why stored secret values are not in storageSecrets (no key, or a key that does not open them); null when they are. */
  storageSecretsProblem: string | null;
  /** When storage sync last read the cluster's Secret; null: never. */
  storageSyncedAt: string | null;
}

export interface StageTimeouts {
  /** Per stage; unlisted stages use `default`. */
  default: number;
  perStage?: Partial<Record<StageName, number>>;
}

export interface StageEnv {
  cluster: StageCluster;
  helm: HelmClient;
  helmTarget: HelmTarget;
  kube: KubeGateway;
  clock: Clock;
  timeouts: StageTimeouts;
  /** How often waits look at pods and workloads. */
  pollMs: number;
  /** Aborted when the task is taken away from this worker or the worker stops. */
  signal: AbortSignal;
  /** Keeps installer output (helm's stdout/stderr) for this stage's journal entry; redacted before it is stored. */
  note(text: string): void;
}

export interface StageOutcome {
  status: 'completed' | 'skipped';
  detail: string;
  /** The stage's installer output (a redacted tail). */
  output?: string | null;
}

export type Stage = (env: StageEnv, name: StageName) => Promise<StageOutcome>;

export function stageTimeout(env: StageEnv, name: StageName): number {
  return env.timeouts.perStage?.[name] ?? env.timeouts.default;
}

export const DEFAULT_TIMEOUTS: StageTimeouts = { default: 10 * 60_000 };
