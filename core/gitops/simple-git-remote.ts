/**
 * GitRemote over the git CLI (through simple-git). Branch writes happen in a private bare cache repository with
 * plumbing commands and are pushed with explicit refspecs; writers are serialised per cache directory.
 */
import { join } from 'node:path';
import type { ClusterRecord } from '../inventory/types.js';
import { FleetError, NotFoundError, ValidationError } from '../errors.js';
import { stripUrlCredentials } from '../providers/redact.js';
import { withFileLock } from './file-lock.js';
import { gitRemoteError, isPushRace } from './git-errors.js';
import { GitRunner } from './git-runner.js';
import { buildTree, commitTree, treeOf } from './git-tree.js';
import { renderWhoamiManifests, type ManifestOptions } from './manifests.js';
import { isReservedBranch, type BranchArchiveResult, type BranchWriteResult, type GitRemote } from './types.js';

export interface SimpleGitRemoteOptions {
  /** Remote URL (file path, file://, https://, ssh). May carry credentials; they never appear in errors. */
  url: string;
  /** fleetdeck's private directory for the bare cache repository and its lock file. */
  cacheDir: string;
  manifests?: ManifestOptions;
  authorName?: string;
  authorEmail?: string;
  /** Per git command; default 60 s. */
  timeoutMs?: number;
  /** Push attempts when another writer moved the branch meanwhile; default 5. */
  pushAttempts?: number;
  trace?: (argv: readonly string[]) => void;
}

const BRANCH_NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i;

export class SimpleGitRemote implements GitRemote {
  readonly displayUrl: string;
  private readonly git: GitRunner;
  private readonly lockPath: string;

  constructor(private readonly opts: SimpleGitRemoteOptions) {
    this.displayUrl = stripUrlCredentials(opts.url);
    this.lockPath = join(opts.cacheDir, 'fleetdeck-git.lock');
    this.git = new GitRunner({
      cacheDir: opts.cacheDir,
      authorName: opts.authorName ?? 'fleetdeck',
      authorEmail: opts.authorEmail ?? 'fleetdeck@localhost',
      timeoutMs: opts.timeoutMs ?? 60_000,
      ...(opts.trace ? { trace: opts.trace } : {}),
    });
  }

  async listBranches(): Promise<Map<string, string>> {
    const out = await this.remote('listing branches', () => this.git.remoteRaw(['ls-remote', '--heads', this.opts.url]));
    const branches = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [sha, ref] = line.trim().split(/\s+/);
      if (sha && ref?.startsWith('refs/heads/')) branches.set(ref.slice('refs/heads/'.length), sha);
    }
    return branches;
  }

  ensureBranch(cluster: ClusterRecord): Promise<BranchWriteResult> {
    return this.writeBranch(cluster, false);
  }

  updateBranch(cluster: ClusterRecord): Promise<BranchWriteResult> {
    return this.writeBranch(cluster, true);
  }

  async deleteBranch(name: string): Promise<{ deleted: boolean }> {
    this.checkWritable(name, 'delete');
    return withFileLock(this.lockPath, async () => {
      if (!(await this.remoteHead(name))) return { deleted: false };
      try {
        await this.git.raw(['push', '--quiet', this.opts.url, `:refs/heads/${name}`]);
        return { deleted: true };
      } catch (error) {
        if (/remote ref does not exist/i.test(String(error))) return { deleted: false };
        throw gitRemoteError(error, this.opts.url, `deleting branch ${name}`);
      }
    });
  }

  async archiveBranch(name: string, at: Date): Promise<BranchArchiveResult | null> {
    this.checkWritable(name, 'archive');
    const archivedAs = `archive/${name}-${timestamp(at)}`;
    return withFileLock(this.lockPath, async () => {
      for (let attempt = 1; ; attempt++) {
        const head = await this.remoteHead(name);
        if (!head) return null;
        await this.fetchBranch(name);
        try {
          await this.git.raw(['push', '--quiet', '--atomic', `--force-with-lease=refs/heads/${name}:${head}`, this.opts.url, `${head}:refs/heads/${archivedAs}`, `:refs/heads/${name}`]);
          return { branch: name, archivedAs, sha: head };
        } catch (error) {
          if (!isPushRace(error) || attempt >= this.attempts()) throw gitRemoteError(error, this.opts.url, `archiving branch ${name}`);
        }
      }
    });
  }

  async readBranchFile(branch: string, path: string): Promise<string | null> {
    return withFileLock(this.lockPath, async () => {
      if (!(await this.remoteHead(branch))) return null;
      const head = await this.fetchBranch(branch);
      try {
        return await this.git.raw(['cat-file', 'blob', `${head}:${path}`]);
      } catch {
        return null;
      }
    });
  }

  private async writeBranch(cluster: ClusterRecord, mustExist: boolean): Promise<BranchWriteResult> {
    const name = cluster.name;
    this.checkWritable(name, 'write');
    const files = renderWhoamiManifests(cluster, this.opts.manifests);
    return withFileLock(this.lockPath, async () => {
      for (let attempt = 1; ; attempt++) {
        const remoteHead = await this.remoteHead(name);
        if (!remoteHead && mustExist) {
          throw new NotFoundError('Git branch', name, `Create it with \`fleetdeck repair\` or ensureBranch; remote ${this.displayUrl}.`);
        }
        const parent = remoteHead ? await this.fetchBranch(name) : null;
        const baseTree = parent ? await treeOf(this.git, parent) : null;
        const tree = await buildTree(this.git, baseTree, files);
        if (parent && tree === baseTree) return { branch: name, sha: parent, action: 'unchanged' };
        const commit = await commitTree(this.git, tree, parent, `fleetdeck: render ${name} (${cluster.provider})`);
        try {
          await this.git.raw(['push', '--quiet', this.opts.url, `${commit}:refs/heads/${name}`]);
          return { branch: name, sha: commit, action: parent ? 'updated' : 'created' };
        } catch (error) {
          if (!isPushRace(error) || attempt >= this.attempts()) throw gitRemoteError(error, this.opts.url, `pushing branch ${name}`);
        }
      }
    });
  }

  /** The branch's head on the remote, or null. */
  private async remoteHead(name: string): Promise<string | null> {
    const ref = `refs/heads/${name}`;
    const out = await this.remote(`looking up branch ${name}`, () => this.git.remoteRaw(['ls-remote', '--heads', this.opts.url, ref]));
    for (const line of out.split('\n')) {
      const [sha, found] = line.trim().split(/\s+/);
      if (sha && found === ref) return sha;
    }
    return null;
  }

  /** Fetches the branch into the cache repository; returns the fetched head. */
  private async fetchBranch(name: string): Promise<string> {
    const local = `refs/fleetdeck/heads/${name}`;
    await this.remote(`fetching branch ${name}`, () => this.git.raw(['fetch', '--quiet', '--no-tags', this.opts.url, `+refs/heads/${name}:${local}`]));
    return (await this.git.raw(['rev-parse', local])).trim();
  }

  private async remote(action: string, fn: () => Promise<string>): Promise<string> {
    try {
      return await fn();
    } catch (error) {
      throw gitRemoteError(error, this.opts.url, action);
    }
  }

  private checkWritable(name: string, verb: string): void {
    if (isReservedBranch(name)) {
      throw new FleetError('FORBIDDEN', `branch "${name}" is reserved; fleetdeck never creates or deletes it`, `Reserved branches (main, master, develop, release, devops) are managed by people; refusing to ${verb} it.`, { branch: name });
    }
    if (!BRANCH_NAME.test(name)) {
      throw new ValidationError(`"${name}" is not a valid cluster branch name`, 'Cluster names are lower-case letters, digits and dashes.', 'name');
    }
  }

  private attempts(): number {
    return this.opts.pushAttempts ?? 5;
  }
}

/** YYYYmmdd-HHMMSS in UTC. */
function timestamp(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}
