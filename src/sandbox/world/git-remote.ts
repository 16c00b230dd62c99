import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'fleetdeck sandbox', GIT_AUTHOR_EMAIL: 'sandbox@fleetdeck.local',
  GIT_COMMITTER_NAME: 'fleetdeck sandbox', GIT_COMMITTER_EMAIL: 'sandbox@fleetdeck.local',
};

async function git(bare: string, args: string[], input?: string): Promise<string> {
  const { execa } = await import('execa');
  const result = await execa('git', ['--git-dir', bare, ...args], {
    env: IDENTITY, ...(input === undefined ? {} : { input }),
  });
  return result.stdout.trim();
}

/** A branch holding one file, written with plumbing straight into the bare repository. */
async function seedBranch(bare: string, branch: string, file: string, content: string): Promise<void> {
  const blob = await git(bare, ['hash-object', '-w', '--stdin'], content);
  const tree = await git(bare, ['mktree'], `100644 blob ${blob}\t${file}\n`);
  const commit = await git(bare, ['commit-tree', tree, '-m', `${branch}: initial content`]);
  await git(bare, ['update-ref', `refs/heads/${branch}`, commit]);
}

/** The sandbox's Git remote: a bare repository on disk with Kindler's reserved branches main and devops. */
export async function ensureBareRemote(path: string): Promise<void> {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { execa } = await import('execa');
    await execa('git', ['init', '--bare', '--initial-branch', 'main', path]);
  }
  const branches = await git(path, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
  const present = new Set(branches.split('\n'));
  if (!present.has('main')) await seedBranch(path, 'main', 'README.md', '# fleet\n\nOne branch per environment; managed by fleetdeck.\n');
  if (!present.has('devops')) await seedBranch(path, 'devops', 'README.md', '# devops\n\nPaaS services of the management cluster (PostgreSQL, pgAdmin).\n');
}
