/**
 * The GitRemote port (seed 002): the Git remote holds one branch per cluster (branch name = cluster name) with the
 * cluster's rendered whoami manifests under `deploy/`. The branches are derived from the inventory; fleetdeck
 * never creates or deletes the reserved branches.
 */
import type { ClusterRecord } from '../inventory/types.js';

export const RESERVED_BRANCHES: readonly string[] = ['main', 'master', 'develop', 'release', 'devops'];

export function isReservedBranch(name: string): boolean {
  return RESERVED_BRANCHES.includes(name);
}

export interface BranchWriteResult {
  branch: string;
  /** The branch head after the call. */
  sha: string;
  /** `created`: the branch is new; `updated`: a new commit; `unchanged`: content already matched, no commit. */
  action: 'created' | 'updated' | 'unchanged';
}

export interface BranchArchiveResult {
  branch: string;
  archivedAs: string;
  sha: string;
}

export interface GitRemote {
  /** The remote URL without credentials, safe to show. */
  readonly displayUrl: string;
  /** Every branch on the remote, name → head sha, in one `git ls-remote --heads`. */
  listBranches(): Promise<Map<string, string>>;
  /** Creates or updates the cluster's branch; idempotent (no commit when the content is unchanged). */
  ensureBranch(cluster: ClusterRecord): Promise<BranchWriteResult>;
  /** Like ensureBranch, but the branch must exist already (NOT_FOUND otherwise). */
  updateBranch(cluster: ClusterRecord): Promise<BranchWriteResult>;
  /** Idempotent: `{ deleted: false }` when the branch is already gone. */
  deleteBranch(name: string): Promise<{ deleted: boolean }>;
  /** Pushes the branch to `archive/<name>-<YYYYmmdd-HHMMSS>` (UTC), then deletes it; null when there is no branch. */
  archiveBranch(name: string, at: Date): Promise<BranchArchiveResult | null>;
  /** A file of a branch, or null when the branch or the file does not exist. */
  readBranchFile(branch: string, path: string): Promise<string | null>;
}
