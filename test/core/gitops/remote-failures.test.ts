import { afterEach, describe, expect, it } from 'vitest';
import { SimpleGitRemote } from '../../../core/gitops/index.js';
import { FleetError } from '../../../core/errors.js';
import { record } from '../providers/records.js';
import { closedPort, failingHttpRemote, tempDirs, type FailingRemote } from './git-fixtures.js';

const dirs = tempDirs();
const servers: FailingRemote[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  dirs.cleanup();
});

function withCredentials(url: string): string {
  return url.replace('http://', 'http://deployer:canary-pass-5150@');
}

async function failure(promise: Promise<unknown>): Promise<FleetError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FleetError);
  return error as FleetError;
}

describe('SimpleGitRemote when the remote fails', () => {
  it('a remote answering 503 names the remote without credentials and says what to check', async () => {
    const server = await failingHttpRemote(503);
    servers.push(server);
    const remote = new SimpleGitRemote({ url: withCredentials(server.url), cacheDir: dirs.make('cache') });
    expect(remote.displayUrl).toBe(server.url);
    // One call at a time: a call started early would reject while no one awaits it yet.
    for (const attempt of [() => remote.listBranches(), () => remote.ensureBranch(record('dev', 'kind')), () => remote.deleteBranch('dev')]) {
      const error = await failure(attempt());
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain(server.url);
      expect(error.message).toContain('503');
      expect(error.hint).toMatch(/retry/i);
      expect(`${error.message} ${error.hint} ${JSON.stringify(error.details)}`).not.toContain('canary-pass-5150');
    }
    expect(server.requests).toBeGreaterThan(0);
  });

  it('a remote refusing the credentials is an auth error naming the remote', async () => {
    const server = await failingHttpRemote(401);
    servers.push(server);
    for (const url of [server.url, withCredentials(server.url)]) {
      const error = await failure(new SimpleGitRemote({ url, cacheDir: dirs.make('cache') }).listBranches());
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toContain(server.url);
      expect(error.hint).toMatch(/token|password|credential/i);
      expect(`${error.message} ${error.hint}`).not.toContain('canary-pass-5150');
    }
  });

  it('an unreachable remote says so', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/fleet.git`;
    const error = await failure(new SimpleGitRemote({ url, cacheDir: dirs.make('cache') }).listBranches());
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('unreachable');
    expect(error.message).toContain(url);
  });

  it('a path with no repository is reported as such', async () => {
    const url = `${dirs.make('empty')}/missing.git`;
    const error = await failure(new SimpleGitRemote({ url, cacheDir: dirs.make('cache') }).listBranches());
    expect(error.code).toBe('NOT_FOUND');
    expect(error.hint).toMatch(/URL/);
  });
});
