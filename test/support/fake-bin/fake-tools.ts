/** Puts the fake k3d/kind/docker executables first on PATH with their own state and argv log in a temp dir. */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAKE_BIN_DIR = dirname(fileURLToPath(import.meta.url));

export interface FakeKindNode {
  name: string;
  role: string;
  running: boolean;
  ports: { hostIp: string; hostPort: number; containerPort: number; protocol: string }[];
}

export interface FakeKindCluster {
  name: string;
  config: string | null;
  apiPort: number;
  nodes: FakeKindNode[];
}

export interface FakeTools {
  dir: string;
  env: Record<string, string>;
  /** Every recorded call as [tool, ...args]. */
  calls(): string[][];
  state(): { k3d: Record<string, { running: boolean } & Record<string, unknown>>; kind: Record<string, FakeKindCluster> };
  writeState(state: unknown): void;
  cleanup(): void;
}

export function fakeTools(extraEnv: Record<string, string> = {}): FakeTools {
  for (const tool of ['k3d', 'kind', 'docker']) chmodSync(join(FAKE_BIN_DIR, tool), 0o755);
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-fake-tools-'));
  const statePath = join(dir, 'state.json');
  const logPath = join(dir, 'argv.log');
  return {
    dir,
    env: {
      PATH: `${FAKE_BIN_DIR}${delimiter}${process.env.PATH ?? ''}`,
      FAKE_TOOL_STATE: statePath,
      FAKE_TOOL_ARGV_LOG: logPath,
      ...extraEnv,
    },
    calls: () =>
      existsSync(logPath)
        ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[])
        : [],
    state: () => (existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : { k3d: {}, kind: {} }),
    writeState: (state) => writeFileSync(statePath, JSON.stringify(state)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
