import { join } from 'node:path';
import { execa } from 'execa';

export const BIN = join(process.cwd(), 'bin/fleetdeck.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the real fleetdeck binary (built into dist/ by `npm test`'s type-check step). */
export async function fleetdeck(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await execa('node', [BIN, ...args], {
    reject: false, timeout: 60_000, ...(options.input === undefined ? {} : { input: options.input }),
    env: { ...options.env }, extendEnv: true,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
