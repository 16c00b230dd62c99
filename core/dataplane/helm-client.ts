import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { childProcessEnv } from '../child-env.js';
import { parse as parseYaml } from 'yaml';
import { FleetError } from '../errors.js';
import { outputTail } from './redact.js';

/** Where helm talks to: a kubeconfig file and/or a context in it (default: helm's own defaults, in-cluster in a Job). */
export interface HelmTarget {
  kubeconfigPath?: string;
  kubeContext?: string;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  /** Helm's info.status: deployed, failed, pending-install, pending-upgrade, pending-rollback, uninstalling, … */
  status: string;
  revision: number;
  chartName: string | null;
  chartVersion: string | null;
  /** The user-supplied values of the last revision. */
  config: Record<string, unknown>;
}

/** One row of `helm history -o json`. */
export interface HelmRevision {
  revision: number;
  status: string;
  chart: string;
  description: string;
}

export interface ChartRef {
  name: string;
  version: string;
}

export interface UpgradeOptions {
  values: Record<string, unknown>;
  /** A pinned chart version (`--version`); omitted: the newest the repository offers. */
  version?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HelmCallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The HelmClient port: only what the installer stages do. Mutating calls resolve with the tail of helm's output
 * (redacted); their failures are FleetErrors carrying that tail as `details.output`.
 */
export interface HelmClient {
  /** null when the release does not exist. */
  status(target: HelmTarget, namespace: string, release: string, signal?: AbortSignal): Promise<HelmRelease | null>;
  /** Every stored revision, oldest first; empty when the release does not exist. */
  history(target: HelmTarget, namespace: string, release: string, signal?: AbortSignal): Promise<HelmRevision[]>;
  /** The chart `upgrade --install` would install (`helm show chart`): what a "deployed already" check compares. */
  showChart(chart: string, version: string | undefined, signal?: AbortSignal): Promise<ChartRef>;
  upgradeInstall(target: HelmTarget, namespace: string, release: string, chart: string, options: UpgradeOptions): Promise<string>;
  rollback(target: HelmTarget, namespace: string, release: string, revision: number, options: HelmCallOptions): Promise<string>;
  uninstall(target: HelmTarget, namespace: string, release: string, options: HelmCallOptions): Promise<string>;
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
  chart?: { metadata?: { name?: string; version?: string } };
  config?: Record<string, unknown> | null;
}

interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
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
    const parsed = this.json<StatusJson>(`helm status ${release}`, result.stdout);
    return {
      name: parsed.name ?? release,
      namespace: parsed.namespace ?? namespace,
      status: parsed.info?.status ?? 'unknown',
      revision: parsed.version ?? 0,
      chartName: parsed.chart?.metadata?.name ?? null,
      chartVersion: parsed.chart?.metadata?.version ?? null,
      config: parsed.config ?? {},
    };
  }

  async history(target: HelmTarget, namespace: string, release: string, signal?: AbortSignal): Promise<HelmRevision[]> {
    const result = await this.run(['history', release, '-n', namespace, '-o', 'json', '--max', '256', ...targetArgs(target)], 60_000, signal);
    if (result.exitCode !== 0) {
      if (/release: not found/.test(result.stderr)) return [];
      throw this.failure(`helm history ${release}`, result);
    }
    const rows = this.json<{ revision?: number; status?: string; chart?: string; description?: string }[]>(`helm history ${release}`, result.stdout);
    return rows.map((r) => ({ revision: r.revision ?? 0, status: r.status ?? 'unknown', chart: r.chart ?? '', description: r.description ?? '' }))
      .sort((a, b) => a.revision - b.revision);
  }

  async showChart(chart: string, version: string | undefined, signal?: AbortSignal): Promise<ChartRef> {
    const result = await this.run(['show', 'chart', chart, ...(version ? ['--version', version] : [])], 60_000, signal);
    if (result.exitCode !== 0) throw this.failure(`helm show chart ${chart}`, result);
    const parsed = parseYaml(result.stdout) as { name?: unknown; version?: unknown } | null;
    if (!parsed || typeof parsed.name !== 'string' || parsed.version === undefined) {
      throw new FleetError('EXTERNAL', `helm show chart ${chart} printed no chart name and version`, 'Check that `helm` on PATH is Helm 3 and the chart repository is added.');
    }
    return { name: parsed.name, version: String(parsed.version) };
  }

  async upgradeInstall(target: HelmTarget, namespace: string, release: string, chart: string, options: UpgradeOptions): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-helm-'));
    try {
      const valuesFile = join(dir, 'values.json');
      writeFileSync(valuesFile, JSON.stringify(options.values), { mode: 0o600 });
      const args = ['upgrade', '--install', release, chart, '-n', namespace, '--create-namespace', '-f', valuesFile,
        ...(options.version ? ['--version', options.version] : []), '--wait', '--timeout', seconds(options.timeoutMs), ...targetArgs(target)];
      return await this.mutate(`helm upgrade --install ${release}`, args, options);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  rollback(target: HelmTarget, namespace: string, release: string, revision: number, options: HelmCallOptions): Promise<string> {
    return this.mutate(`helm rollback ${release} ${revision}`,
      ['rollback', release, String(revision), '-n', namespace, '--wait', '--timeout', seconds(options.timeoutMs), ...targetArgs(target)], options);
  }

  uninstall(target: HelmTarget, namespace: string, release: string, options: HelmCallOptions): Promise<string> {
    return this.mutate(`helm uninstall ${release}`,
      ['uninstall', release, '-n', namespace, '--wait', '--timeout', seconds(options.timeoutMs), ...targetArgs(target)], options);
  }

  private async mutate(what: string, args: string[], options: HelmCallOptions): Promise<string> {
    const result = await this.run(args, options.timeoutMs + 30_000, options.signal);
    if (result.exitCode !== 0) throw this.failure(what, result);
    return outputTail(`${result.stdout}\n${result.stderr}`);
  }

  private json<T>(what: string, text: string): T {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new FleetError('EXTERNAL', `${what} printed something that is not JSON`, 'Check that `helm` on PATH is Helm 3.');
    }
  }

  private async run(args: string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
    const binary = this.options.binary ?? 'helm';
    const result = await execa(binary, args, {
      ...childProcessEnv(this.options.env), reject: false, stdin: 'ignore', timeout: timeoutMs,
      ...(signal ? { cancelSignal: signal } : {}), forceKillAfterDelay: 2000,
    });
    if (result.code === 'ENOENT') {
      throw new FleetError('UNAVAILABLE', `helm is not installed (no "${binary}" found on PATH)`, 'Install Helm 3 (https://helm.sh) on the jumpbox, or use the Job runner.');
    }
    if (result.isCanceled) throw new FleetError('TIMEOUT', `helm ${args[0]} was cancelled`, 'The install task was taken over or stopped; see `fleetdeck installs show`.');
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), timedOut: result.timedOut };
  }

  private failure(what: string, result: RunResult): FleetError {
    const output = outputTail(`${result.stdout}\n${result.stderr}`);
    if (result.timedOut) return new FleetError('TIMEOUT', `${what} did not finish in time`, 'Check the cluster\'s pods and events, then retry.', { output });
    const detail = outputTail(result.stderr || result.stdout, 8);
    return new FleetError('EXTERNAL', `${what} failed (exit ${result.exitCode})${detail ? `: ${detail}` : ''}`,
      'Read helm\'s message; `fleetdeck installs show CLUSTER` shows the failed stage, `fleetdeck installs retry CLUSTER` runs it again.',
      { output, exitCode: result.exitCode });
  }
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

function targetArgs(target: HelmTarget): string[] {
  return [
    ...(target.kubeconfigPath ? ['--kubeconfig', target.kubeconfigPath] : []),
    ...(target.kubeContext ? ['--kube-context', target.kubeContext] : []),
  ];
}
