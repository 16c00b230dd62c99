import { describe, expect, it, afterEach } from 'vitest';
import { execa } from 'execa';
import { SimpleGitRemote } from '../../../core/gitops/index.js';
import { bareRemote, git, tempDirs } from './git-fixtures.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('listBranches on a big remote', () => {
  it('lists 2,000 branches with one git call, quickly', async () => {
    const url = await bareRemote(dirs);
    const head = await git(url, 'rev-parse', 'main');
    const input = Array.from({ length: 2000 }, (_, i) => `create refs/heads/env-${String(i).padStart(4, '0')} ${head}\n`).join('');
    await execa('git', ['update-ref', '--stdin'], { cwd: url, input });

    const calls: (readonly string[])[] = [];
    const remote = new SimpleGitRemote({ url, cacheDir: dirs.make('cache'), trace: (argv) => calls.push(argv) });
    const started = performance.now();
    const branches = await remote.listBranches();
    const elapsed = performance.now() - started;

    expect(branches.size).toBe(2002);
    expect(branches.get('env-1999')).toBe(head);
    expect(calls).toEqual([['ls-remote', '--heads', url]]);
    expect(elapsed).toBeLessThan(10_000);
  });
});
