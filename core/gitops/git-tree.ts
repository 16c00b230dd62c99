/** Builds commits with plumbing (hash-object / mktree / commit-tree): no working tree is ever checked out. */
import type { GitRunner } from './git-runner.js';

interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  name: string;
}

/**
 * A tree equal to `baseTree` except that every top-level directory named in `files` is replaced by exactly those
 * files. Other top-level entries (a README someone added) are kept.
 */
export async function buildTree(git: GitRunner, baseTree: string | null, files: ReadonlyMap<string, string>): Promise<string> {
  const replaced = new Set([...files.keys()].map((path) => path.split('/')[0] ?? path));
  const kept = baseTree ? (await lsTree(git, baseTree)).filter((e) => !replaced.has(e.name)) : [];
  const blobs = new Map<string, string>();
  for (const [path, content] of files) blobs.set(path, await hashBlob(git, content));
  return mktree(git, [...kept, ...(await entriesFor(git, blobs))]);
}

/** Tree entries for path → blob sha, writing a subtree per directory. */
async function entriesFor(git: GitRunner, blobs: ReadonlyMap<string, string>): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const nested = new Map<string, Map<string, string>>();
  for (const [path, sha] of blobs) {
    const slash = path.indexOf('/');
    if (slash < 0) {
      entries.push({ mode: '100644', type: 'blob', sha, name: path });
      continue;
    }
    const dir = path.slice(0, slash);
    const inner = nested.get(dir) ?? new Map<string, string>();
    inner.set(path.slice(slash + 1), sha);
    nested.set(dir, inner);
  }
  for (const [dir, inner] of nested) entries.push({ mode: '040000', type: 'tree', sha: await mktree(git, await entriesFor(git, inner)), name: dir });
  return entries;
}

async function hashBlob(git: GitRunner, content: string): Promise<string> {
  return (await git.withInput(['hash-object', '-w', '--stdin'], content)).trim();
}

async function mktree(git: GitRunner, entries: TreeEntry[]): Promise<string> {
  const input = entries.map((e) => `${e.mode} ${e.type} ${e.sha}\t${e.name}`).join('\n') + (entries.length ? '\n' : '');
  return (await git.withInput(['mktree'], input)).trim();
}

async function lsTree(git: GitRunner, tree: string): Promise<TreeEntry[]> {
  const out = await git.raw(['ls-tree', tree]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [meta = '', name = ''] = line.split('\t');
      const [mode = '', type = '', sha = ''] = meta.split(' ');
      return { mode, type, sha, name };
    });
}

export async function treeOf(git: GitRunner, commit: string): Promise<string> {
  return (await git.raw(['rev-parse', `${commit}^{tree}`])).trim();
}

export async function commitTree(git: GitRunner, tree: string, parent: string | null, message: string): Promise<string> {
  const args = ['commit-tree', tree, '-m', message];
  if (parent) args.push('-p', parent);
  return (await git.raw(args)).trim();
}
