import { execa } from 'execa';
import { childProcessEnv } from '../child-env.js';
import { FleetError } from '../errors.js';
import { redactSecrets } from './redact.js';

/** How an adapter runs its CLI: which binary, with what extra environment (tests put fakes first on PATH). */
export interface ToolOptions {
  /** Binary name or path; default the tool's name, looked up on PATH. */
  binary?: string;
  /** Extra environment, merged over process.env. */
  env?: Record<string, string | undefined>;
  /** Per-call timeout in milliseconds; default 10 minutes (cluster creation is slow). */
  timeoutMs?: number;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

const INSTALL_HINTS: Record<string, string> = {
  k3d: 'Install k3d (https://k3d.io) and make sure it is on PATH, or run fleetdeck with --sandbox.',
  kind: 'Install kind (https://kind.sigs.k8s.io) and make sure it is on PATH, or run fleetdeck with --sandbox.',
};

/**
 * Runs `tool args…` without a shell. A missing binary and a non-zero exit become FleetErrors whose text carries
 * the tool's stderr, scrubbed of anything token-like.
 */
export async function runTool(tool: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const binary = opts.binary ?? tool;
  const result = await execa(binary, args, {
    ...childProcessEnv(opts.env),
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 600_000,
    stripFinalNewline: false,
  });
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  const command = `${tool} ${args.slice(0, 2).join(' ')}`.trim();
  if (result.code === 'ENOENT') {
    throw new FleetError(
      'UNAVAILABLE',
      `${tool} is not installed (no "${binary}" found on PATH)`,
      INSTALL_HINTS[tool] ?? `Install ${tool} and make sure it is on PATH.`,
      { tool, binary },
    );
  }
  if (result.timedOut) {
    throw new FleetError('TIMEOUT', `"${command}" did not finish within ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s`, `Check that Docker and ${tool} respond, then retry.`, { tool });
  }
  if (result.failed) {
    const detail = redactSecrets(stderr.trim() || stdout.trim()).split('\n').slice(-12).join('\n');
    throw new FleetError(
      'EXTERNAL',
      `"${command}" failed (exit ${result.exitCode ?? 'signal'})${detail ? `: ${detail}` : ''}`,
      `Read ${tool}'s message above; check that Docker is running and the ports and subnet are free.`,
      { tool, exitCode: result.exitCode ?? null },
    );
  }
  return { stdout, stderr };
}
