/**
 * Drift: a disagreement between the inventory (the source of truth) and what the outside systems hold — Git
 * branches, running clusters, ArgoCD / Portainer / HAProxy registrations. A snapshot reads every system once; a
 * pure diff turns it into items; a plan chooses one repair action per item.
 */
import type { ClusterRecord, Provider } from '../inventory/types.js';
import type { LiveCluster } from '../providers/types.js';
import type { Registration, RegistrarKind } from '../registrars/types.js';

/** What one collector saw, or why it could not look. */
export type Observed<T> = { ok: true; value: T } | { ok: false; error: string; hint: string };

export interface BranchHead {
  name: string;
  sha: string;
}

export interface FleetSnapshot {
  takenAt: string;
  inventory: Observed<ClusterRecord[]>;
  branches: Observed<BranchHead[]>;
  clusters: Record<Provider, Observed<LiveCluster[]>>;
  registrations: Record<RegistrarKind, Observed<Registration[]>>;
  /** Clusters whose API server did not answer, name → why; only probed clusters appear in `probed`. */
  api: Observed<{ probed: string[]; unreachable: Record<string, string> }>;
}

export type SourceName = 'inventory' | 'git' | `provider:${Provider}` | `registrar:${RegistrarKind}` | 'api';

export interface UncheckedSource {
  source: SourceName;
  error: string;
  hint: string;
}

export type DriftKind =
  | 'missing_branch'
  | 'orphan_branch'
  | 'missing_cluster'
  | 'orphan_cluster'
  | 'missing_registration'
  | 'stale_registration'
  | 'orphan_registration'
  | 'port_mismatch'
  | 'subnet_mismatch'
  | 'api_unreachable';

export const DRIFT_KINDS: readonly DriftKind[] = [
  'missing_branch', 'orphan_branch', 'missing_cluster', 'orphan_cluster', 'missing_registration', 'stale_registration',
  'orphan_registration', 'port_mismatch', 'subnet_mismatch', 'api_unreachable',
];

/** A repair action; each is idempotent and runs as one step of a `drift.repair` operation. */
export type RepairAction =
  | { type: 'create_branch'; cluster: string }
  | { type: 'archive_branch'; branch: string }
  | { type: 'recreate_cluster'; cluster: string }
  | { type: 'adopt_cluster'; cluster: string; provider: Provider }
  | { type: 'delete_cluster'; cluster: string; provider: Provider }
  | { type: 'ensure_registration'; registrar: RegistrarKind; cluster: string }
  | { type: 'remove_registration'; registrar: RegistrarKind; cluster: string }
  | { type: 'update_row_from_live'; cluster: string; provider: Provider }
  | { type: 'start_cluster'; cluster: string }
  | { type: 'replace_cluster'; cluster: string };

export type RepairType = RepairAction['type'];

export interface RepairChoice {
  action: RepairAction;
  /** What it does, in words for the report. */
  description: string;
  /** Destroys something that exists (a cluster); never chosen unless asked for with --delete. */
  destructive: boolean;
}

export interface DriftItem {
  /** Stable across scans while the drift lasts: `<kind>:<target>` (with the registrar for registration kinds). */
  id: string;
  kind: DriftKind;
  /** The cluster or branch name. */
  target: string;
  registrar?: RegistrarKind;
  provider?: Provider;
  message: string;
  /** The safe default repair. */
  repair: RepairChoice;
  /** The other choice, when there is one (an orphan cluster can also be deleted, a stopped one replaced). */
  alternative?: RepairChoice;
}

export interface DriftReport {
  checkedAt: string;
  items: DriftItem[];
  unchecked: UncheckedSource[];
  counts: { clusters: number; branches: number; live: number; registrations: number };
}
