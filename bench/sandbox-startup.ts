/**
 * Budget check: the sandbox world is up (every API server answering) in under 2 s after its first creation.
 * Measured as the user sees it — from spawning `fleetdeck sandbox serve` on an existing world until all its API
 * servers answer, and a whole `fleetdeck --sandbox clusters ls` — next to the in-process figure (openSandboxFleet
 * until all answer), so the ratio shows what process start and imports add.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../core/config.js';
import { openSandboxEngine } from '../src/sandbox/open-sandbox.js';
import { openSandboxFleet } from '../src/sandbox/world/sandbox-fleet.js';
import { readWorld, serverUrlOf, worldClusters, worldLayout } from '../src/sandbox/world/world-file.js';
import { fmt, median } from './support.js';

const BIN = join(process.cwd(), 'bin', 'fleetdeck.js');
const BUDGET_MS = 2000;
const RUNS = 3;

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/version`, { signal: AbortSignal.timeout(500) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Polls every API server world.json records (re-read each round: a busy port moves a cluster) until all answer. */
async function allAnswering(dataDir: string, started: number, timeoutMs = 30_000): Promise<number> {
  const layout = worldLayout(dataDir);
  for (;;) {
    const world = readWorld(layout);
    if (world) {
      const up = await Promise.all(worldClusters(world).map((c) => answers(serverUrlOf(c))));
      if (up.every(Boolean)) return performance.now() - started;
    }
    if (performance.now() - started > timeoutMs) throw new Error('the sandbox API servers did not all answer');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `fleetdeck sandbox serve` in a fresh process: time until every API server answers; then ctrl-c. */
async function spawnedServe(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'sandbox', 'serve'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    return await allAnswering(dataDir, started);
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

/** A whole command on the sandbox: time until every API server answers (it hosts them), and until it exits. */
async function spawnedCommand(dataDir: string, args: string[]): Promise<{ answering: number; exit: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--sandbox', ...args], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const exited = new Promise<number>((resolve, reject) => child.once('exit', (code) => {
    if (code === 0) resolve(performance.now() - started);
    else reject(new Error(`fleetdeck --sandbox ${args.join(' ')} exited ${code ?? 'on a signal'}`));
  }));
  const answering = await allAnswering(dataDir, started);
  return { answering, exit: await exited };
}

function verdict(ms: number): string {
  return ms < BUDGET_MS ? 'within' : 'OVER';
}

export async function benchSandboxStartup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-sandbox-'));
  const config = resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir });
  let started = performance.now();
  const first = await openSandboxEngine(config);
  const creation = performance.now() - started;
  await first.engine.close();
  const clusters = worldClusters(readWorld(worldLayout(dataDir))!).length;

  const inProcess: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    started = performance.now();
    const fleet = await openSandboxFleet(dataDir);
    inProcess.push(await allAnswering(dataDir, started));
    await fleet.close();
  }
  const serve: number[] = [];
  for (let i = 0; i < RUNS; i += 1) serve.push(await spawnedServe(dataDir));
  const commandAnswering: number[] = [];
  const command: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const run = await spawnedCommand(dataDir, ['clusters', 'ls', '--json']);
    commandAnswering.push(run.answering);
    command.push(run.exit);
  }

  const list = (runs: number[]): string => runs.map((r) => fmt(r, 0)).join(', ');
  console.log('sandbox world startup');
  console.log(`  first creation (PGlite initdb, 6 environments created, drift injected): ${fmt(creation, 0)} ms`);
  console.log(`  in-process, openSandboxFleet until all ${clusters} API servers answer: ${list(inProcess)} ms (median ${fmt(median(inProcess), 0)})`);
  console.log(`  spawned \`fleetdeck sandbox serve\` until all ${clusters} API servers answer: ${list(serve)} ms (median ${fmt(median(serve), 0)}), ` +
    `${fmt(median(serve) / median(inProcess), 1)}x in-process; budget ${BUDGET_MS} ms: ${verdict(median(serve))}`);
  console.log(`  spawned \`fleetdeck --sandbox clusters ls --json\` until all ${clusters} API servers answer: ${list(commandAnswering)} ms ` +
    `(median ${fmt(median(commandAnswering), 0)}); budget ${BUDGET_MS} ms: ${verdict(median(commandAnswering))}`);
  console.log(`  the same command, start to exit (its embedded database opened as well): ${list(command)} ms (median ${fmt(median(command), 0)})`);
}
