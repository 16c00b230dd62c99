import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FleetError } from '../errors.js';

/** Where helm talks to: a kubeconfig file and/or a context in it (default: helm's own defaults). */
export interface HelmTarget {
  kubeconfigPath?: string;
  kubeContext?: string;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  /** Helm's info.status: deployed, failed, pending-install, pending-upgrade, uninstalling, … */
  status: string;
  revision: number;
  chartVersion: string | null;
  /** The user-supplied values of the last revision. */
  config: Record<string, unknown>;
}

export interface UpgradeOptions {
  values: Record<string, unknown>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The HelmClient port: only what the installer stages do. */
export interface HelmClient {
  /** null when the release does not exist. */
  status(target: HelmTarget, namespace: string, release: string, signal?: AbortSignal): Promise<HelmRelease | null>;
  upgradeInstall(target: HelmTarget, namespace: string, release: string, chart: string, options: UpgradeOptions): Promise<void>;
}

export interface HelmCliOptions {
  binary?: string;
  env?: Record<string, string>;
}

interface StatusJson {
  name?: string;
  namespace?: string;
  version?: number;
  info?: { status?: string };
  chart?: { metadata?: { version?: string } };
  config?: Record<string, unknown> | null;
}

/** Text that may carry credentials never reaches an error message. */
function scrub(text: string): string {
  return text.replace(/(token|password|secret)(["':=\s]+)\S+/gi, '$1$2***').split('\n').slice(-8).join('\n').trim();
}

/** The real adapter: the `helm` CLI through execa, no shell; values go through a 0600 temp file. */
export class HelmCli implements HelmClient {
  constructor(private readonly options: HelmCliOptions = {}) {}

  async status(target: HelmTarget, namespace: string, release: string, signal?: AbortSignal): Promise<HelmRelease | null> {
    const result = await this.run(['status', release, '-n', namespace, '-o', 'json', ...targetArgs(target)], 60_000, signal);
    if (result.exitCode !== 0) {
      if (/release: not found/.test(result.stderr)) return null;
      throw this.failure(`helm status ${release}`, result);
    }
    let parsed: StatusJson;
    try {
      parsed = JSON.parse(result.stdout) as StatusJson;
    } catch {
      throw new FleetError('EXTERNAL', `helm status ${release} printed something that is not JSON`, 'Check that `helm` on PATH is Helm 3.');
    }
    return {
      name: parsed.name ?? release,
      namespace: parsed.namespace ?? namespace,
      status: parsed.info?.status ?? 'unknown',
      revision: parsed.version ?? 0,
      chartVersion: parsed.chart?.metadata?.version ?? null,
      config: parsed.config ?? {},
    };
  }

  async upgradeInstall(target: HelmTarget, namespace: string, release: string, chart: string, options: UpgradeOptions): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-helm-'));
    try {
      const valuesFile = join(dir, 'values.json');
      writeFileSync(valuesFile, JSON.stringify(options.values), { mode: 0o600 });
      const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
      const args = ['upgrade', '--install', release, chart, '-n', namespace, '--create-namespace', '-f', valuesFile,
        '--wait', '--timeout', `${seconds}s`, ...targetArgs(target)];
      const result = await this.run(args, options.timeoutMs + 30_000, options.signal);
      if (result.exitCode !== 0) throw this.failure(`helm upgrade --install ${release}`, result);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async run(args: string[], timeoutMs: number, signal?: AbortSignal): Promise<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean }> {
    const binary = this.options.binary ?? 'helm';
    const result = await execa(binary, args, {
      env: this.options.env ?? {}, extendEnv: true, reject: false, stdin: 'ignore', timeout: timeoutMs,
      ...(signal ? { cancelSignal: signal } : {}), forceKillAfterDelay: 2000,
    });
    if (result.code === 'ENOENT') {
      throw new FleetError('UNAVAILABLE', `helm is not installed (no "${binary}" found on PATH)`, 'Install Helm 3 (https://helm.sh) on the jumpbox, or use the Job runner.');
    }
    if (result.isCanceled) throw new FleetError('TIMEOUT', `helm ${args[0]} was cancelled`, 'The install task was taken over or stopped; see `fleetdeck installs show`.');
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), timedOut: result.timedOut };
  }

  private failure(what: string, result: { exitCode: number; stdout: string; stderr: string; timedOut: boolean }): FleetError {
    if (result.timedOut) return new FleetError('TIMEOUT', `${what} did not finish in time`, 'Check the cluster\'s pods and events, then retry.');
    const detail = scrub(result.stderr || result.stdout);
    return new FleetError('EXTERNAL', `${what} failed (exit ${result.exitCode})${detail ? `: ${detail}` : ''}`,
      'Read helm\'s message; `fleetdeck installs show CLUSTER` shows the failed stage, `fleetdeck installs retry CLUSTER` runs it again.');
  }
}

function targetArgs(target: HelmTarget): string[] {
  return [
    ...(target.kubeconfigPath ? ['--kubeconfig', target.kubeconfigPath] : []),
    ...(target.kubeContext ? ['--kube-context', target.kubeContext] : []),
  ];
}
