import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SimpleGitRemote } from '../../../core/gitops/index.js';
import { FleetError } from '../../../core/errors.js';
import { record } from '../providers/records.js';
import { bareRemote, git, tempDirs } from './git-fixtures.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

async function setup(domain = 'local') {
  const url = await bareRemote(dirs);
  const remote = new SimpleGitRemote({ url, cacheDir: dirs.make('cache'), manifests: { domain } });
  return { url, remote };
}

describe('SimpleGitRemote against a bare repository on disk', () => {
  it('creates one branch per cluster with the whoami manifests under deploy/', async () => {
    const { url, remote } = await setup();
    const result = await remote.ensureBranch(record('dev', 'kind'));
    expect(result.action).toBe('created');
    expect((await git(url, 'ls-tree', '-r', '--name-only', 'dev')).split('\n')).toEqual([
      'deploy/00-namespace.yaml',
      'deploy/deployment.yaml',
      'deploy/ingress.yaml',
      'deploy/service.yaml',
    ]);
    const ingress = parse(await git(url, 'show', 'dev:deploy/ingress.yaml')) as { spec: { rules: { host: string }[] } };
    expect(ingress.spec.rules[0]?.host).toBe('dev.local');
    expect(await remote.readBranchFile('dev', 'deploy/ingress.yaml')).toContain('host: dev.local');
    expect(await remote.readBranchFile('dev', 'deploy/nope.yaml')).toBeNull();
    expect(await remote.readBranchFile('ghost', 'deploy/ingress.yaml')).toBeNull();
  });

  it('ensuring twice makes no second commit', async () => {
    const { url, remote } = await setup();
    const first = await remote.ensureBranch(record('dev', 'kind'));
    const second = await remote.ensureBranch(record('dev', 'kind'));
    expect(second).toEqual({ branch: 'dev', sha: first.sha, action: 'unchanged' });
    expect(await git(url, 'rev-list', '--count', 'dev')).toBe('1');
  });

  it('updates a branch whose manifests changed and keeps files people added beside deploy/', async () => {
    const { url, remote } = await setup();
    await remote.ensureBranch(record('uat', 'kind'));
    const work = dirs.make('work');
    await git(work, 'clone', '--quiet', '--branch', 'uat', url, '.');
    await git(work, 'commit', '--quiet', '--allow-empty', '-m', 'noop');
    await execaWrite(work, 'README.md', 'notes by a person\n');
    await git(work, 'add', 'README.md');
    await git(work, 'commit', '--quiet', '-m', 'readme');
    await git(work, 'push', '--quiet', 'origin', 'uat');

    const renamed = new SimpleGitRemote({ url, cacheDir: dirs.make('cache2'), manifests: { domain: 'fleet.example' } });
    const result = await renamed.updateBranch(record('uat', 'kind'));
    expect(result.action).toBe('updated');
    expect(await git(url, 'show', 'uat:deploy/ingress.yaml')).toContain('host: uat.fleet.example');
    expect(await git(url, 'show', 'uat:README.md')).toBe('notes by a person');
    await expect(renamed.updateBranch(record('never-made', 'kind'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('never creates, deletes or archives a reserved branch', async () => {
    const { url, remote } = await setup();
    const before = await git(url, 'for-each-ref');
    for (const name of ['main', 'master', 'develop', 'release', 'devops']) {
      const error = (await remote.ensureBranch(record(name, 'kind')).catch((e: unknown) => e)) as FleetError;
      expect(error).toBeInstanceOf(FleetError);
      expect(error.message).toContain('reserved');
      await expect(remote.deleteBranch(name)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(remote.archiveBranch(name, new Date())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await git(url, 'for-each-ref')).toBe(before);
  });

  it('deletes idempotently', async () => {
    const { remote } = await setup();
    await remote.ensureBranch(record('dev', 'kind'));
    expect(await remote.deleteBranch('dev')).toEqual({ deleted: true });
    expect(await remote.deleteBranch('dev')).toEqual({ deleted: false });
    expect([...(await remote.listBranches()).keys()].sort()).toEqual(['devops', 'main']);
  });

  it('archives a branch under archive/NAME-YYYYmmdd-HHMMSS and removes it', async () => {
    const { url, remote } = await setup();
    const created = await remote.ensureBranch(record('prod', 'kind'));
    const archived = await remote.archiveBranch('prod', new Date('2026-03-04T05:06:07Z'));
    expect(archived).toEqual({ branch: 'prod', archivedAs: 'archive/prod-20260304-050607', sha: created.sha });
    const branches = await remote.listBranches();
    expect(branches.get('archive/prod-20260304-050607')).toBe(created.sha);
    expect(branches.has('prod')).toBe(false);
    expect(await git(url, 'show', 'archive/prod-20260304-050607:deploy/ingress.yaml')).toContain('prod.local');
    expect(await remote.archiveBranch('prod', new Date())).toBeNull();
  });

  it('lists every branch with its head', async () => {
    const { url, remote } = await setup();
    const dev = await remote.ensureBranch(record('dev', 'kind'));
    const branches = await remote.listBranches();
    expect(branches.get('dev')).toBe(dev.sha);
    expect(branches.get('main')).toBe(await git(url, 'rev-parse', 'main'));
  });
});

async function execaWrite(dir: string, file: string, content: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await writeFile(join(dir, file), content);
}
