import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { SimpleGitRemote, withFileLock } from '../../../core/gitops/index.js';
import { record } from '../providers/records.js';
import { bareRemote, git, tempDirs } from './git-fixtures.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('concurrent writers', () => {
  it('writers sharing a cache directory are serialised and all land', async () => {
    const url = await bareRemote(dirs);
    const cacheDir = dirs.make('cache');
    const a = new SimpleGitRemote({ url, cacheDir });
    const b = new SimpleGitRemote({ url, cacheDir });
    const names = ['dev', 'uat', 'prod', 'dev-k3d', 'uat-k3d', 'prod-k3d'];
    const results = await Promise.all(names.map((name, i) => (i % 2 ? a : b).ensureBranch(record(name, 'kind'))));
    expect(results.every((r) => r.action === 'created')).toBe(true);
    expect([...(await a.listBranches()).keys()].sort()).toEqual([...names, 'devops', 'main'].sort());
    expect(existsSync(join(cacheDir, 'fleetdeck-git.lock'))).toBe(false);
  });

  it('two caches racing on one branch: the loser fetches, sees the same content and makes no commit', async () => {
    const url = await bareRemote(dirs);
    const one = new SimpleGitRemote({ url, cacheDir: dirs.make('cache-a') });
    const two = new SimpleGitRemote({ url, cacheDir: dirs.make('cache-b') });
    const results = await Promise.all([one.ensureBranch(record('dev', 'kind')), two.ensureBranch(record('dev', 'kind'))]);
    expect(results.map((r) => r.action).sort()).toEqual(expect.arrayContaining(['created']));
    expect(await git(url, 'rev-list', '--count', 'dev')).toBe('1');
    expect(new Set(results.map((r) => r.sha)).size).toBe(1);
  });

  it('a push rejected because another writer moved the branch meanwhile is retried on top of it', async () => {
    const url = await bareRemote(dirs);
    await new SimpleGitRemote({ url, cacheDir: dirs.make('cache-a'), manifests: { domain: 'one.test' } }).ensureBranch(record('dev', 'kind'));
    const work = dirs.make('work');
    await git(work, 'clone', '--quiet', '--branch', 'dev', url, '.');
    writeFileSync(join(work, 'NOTES.md'), 'hi\n');
    await git(work, 'add', 'NOTES.md');
    await git(work, 'commit', '--quiet', '-m', 'notes');
    let raced = false;
    // Just before fleetdeck's first push, another writer pushes to the same branch.
    const trace = (argv: readonly string[]): void => {
      if (argv[0] === 'push' && !raced) {
        raced = true;
        execFileSync('git', ['push', '--quiet', 'origin', 'dev'], { cwd: work });
      }
    };
    const pushes: string[] = [];
    const remote = new SimpleGitRemote({ url, cacheDir: dirs.make('cache-b'), manifests: { domain: 'two.test' }, trace: (argv) => { trace(argv); if (argv[0] === 'push') pushes.push(argv.join(' ')); } });
    const result = await remote.ensureBranch(record('dev', 'kind'));
    expect(result.action).toBe('updated');
    expect(pushes).toHaveLength(2);
    expect(await git(url, 'show', 'dev:NOTES.md')).toBe('hi');
    expect(await git(url, 'show', 'dev:deploy/ingress.yaml')).toContain('dev.two.test');
    expect(await git(url, 'rev-list', '--count', 'dev')).toBe('3');
  });

  it('the lock file keeps a second process waiting and is taken over from a dead one', async () => {
    const dir = dirs.make('lock');
    const lock = join(dir, 'x.lock');
    // A live holder (this very process, as another process would look) blocks until it lets go.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), at: new Date().toISOString() }));
    const order: string[] = [];
    const waiting = withFileLock(lock, async () => {
      order.push('second');
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    order.push('first done');
    (await import('node:fs')).unlinkSync(lock);
    await waiting;
    expect(order).toEqual(['first done', 'second']);

    const dead = await execa('node', ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: (await import('node:os')).hostname(), at: new Date().toISOString() }));
    expect(await withFileLock(lock, async () => 'taken over', { timeoutMs: 5_000 })).toBe('taken over');
  });
});
