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
}

export interface StageOutcome {
  status: 'completed' | 'skipped';
  detail: string;
}

export type Stage = (env: StageEnv, name: StageName) => Promise<StageOutcome>;

export function stageTimeout(env: StageEnv, name: StageName): number {
  return env.timeouts.perStage?.[name] ?? env.timeouts.default;
}

export const DEFAULT_TIMEOUTS: StageTimeouts = { default: 10 * 60_000 };
