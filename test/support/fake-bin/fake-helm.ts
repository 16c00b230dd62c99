/** Puts the fake `helm` first on PATH with its own release state and argv log in a temp dir. */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAKE_HELM_DIR = dirname(fileURLToPath(import.meta.url));

export interface FakeHelmRelease {
  name: string;
  namespace: string;
  chart: string;
  revision: number;
  status: string;
  config: Record<string, unknown>;
}

export interface FakeHelm {
  dir: string;
  /** Environment for processes that should find the fake: PATH, state and log files, plus `extraEnv`. */
  env: Record<string, string>;
  /** The absolute path of the fake executable. */
  bin: string;
  calls(): string[][];
  releases(): Record<string, FakeHelmRelease>;
  cleanup(): void;
}

export function fakeHelm(extraEnv: Record<string, string> = {}): FakeHelm {
  // The fake lives in the source tree even when this helper runs from dist/.
  const sourceDir = FAKE_HELM_DIR.includes(`${join('dist', 'test')}`) ? FAKE_HELM_DIR.replace(`${join('dist', 'test')}`, 'test') : FAKE_HELM_DIR;
  const bin = join(sourceDir, 'helm');
  chmodSync(bin, 0o755);
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-fake-helm-'));
  const statePath = join(dir, 'helm-state.json');
  const logPath = join(dir, 'argv.log');
  return {
    dir,
    bin,
    env: { PATH: `${sourceDir}${delimiter}${process.env.PATH ?? ''}`, FAKE_HELM_STATE: statePath, FAKE_TOOL_ARGV_LOG: logPath, ...extraEnv },
    calls: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []),
    releases: () => (existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as { releases: Record<string, FakeHelmRelease> }).releases : {}),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
