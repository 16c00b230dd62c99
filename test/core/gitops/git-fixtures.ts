/** Bare Git remotes on disk and loopback HTTP remotes that fail, for the gitops tests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TempDirs {
  make(prefix: string): string;
  cleanup(): void;
}

export function tempDirs(): TempDirs {
  const dirs: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), `fleetdeck-${prefix}-`));
      dirs.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd })).stdout;
}

/** A bare repository with a `main` branch holding one commit, like a freshly set-up Git service. */
export async function bareRemote(dirs: TempDirs): Promise<string> {
  const remote = join(dirs.make('remote'), 'fleet.git');
  await execa('git', ['init', '--bare', '--quiet', '--initial-branch=main', remote]);
  const work = dirs.make('seed-work');
  await git(work, 'init', '--quiet', '--initial-branch=main');
  await git(work, 'commit', '--quiet', '--allow-empty', '-m', 'initial');
  await git(work, 'push', '--quiet', remote, 'main:refs/heads/main', 'main:refs/heads/devops');
  return remote;
}

export interface FailingRemote {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** A loopback "Git service" answering every request with the given status. */
export async function failingHttpRemote(status: 503 | 401): Promise<FailingRemote> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    req.resume();
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="fleet"');
    res.statusCode = status;
    res.end(status === 503 ? 'Service Unavailable' : 'Unauthorized');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fleet.git`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nobody listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
