/**
 * Budget check: 50 sandbox clusters run on one machine with under 300 MB of memory in total. Each figure comes from
 * a fresh Node process (bench/sandbox-memory-child.ts) holding only the clusters, so nothing else this run did is
 * counted: the RSS of a process with 50 clusters, next to one with a single cluster (the baseline), and the ratio.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface SandboxMemoryFigures {
  clusters: number;
  startMs: number;
  processRssMb: number;
  baselineStartMs: number;
  baselineRssMb: number;
}

const MB = 1024 * 1024;
const BUDGET_MB = 300;
const CHILD = fileURLToPath(new URL('./sandbox-memory-child.js', import.meta.url));

async function measure(count: number): Promise<{ answeredMs: number; rss: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', CHILD, String(count)], { timeout: 120_000 });
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as { answeredMs: number; rss: number };
}

export async function benchSandboxMemory(count = 50): Promise<SandboxMemoryFigures> {
  const baseline = await measure(1);
  const fleet = await measure(count);
  const figures: SandboxMemoryFigures = {
    clusters: count,
    startMs: Math.round(fleet.answeredMs),
    processRssMb: Math.round(fleet.rss / MB),
    baselineStartMs: Math.round(baseline.answeredMs),
    baselineRssMb: Math.round(baseline.rss / MB),
  };
  const perCluster = (figures.processRssMb - figures.baselineRssMb) / (count - 1);
  console.log(`sandbox clusters, each figure from a fresh process:`);
  console.log(`  1 cluster: answering after ${figures.baselineStartMs} ms, process RSS ${figures.baselineRssMb} MB (baseline)`);
  console.log(`  ${count} clusters: answering after ${figures.startMs} ms, process RSS ${figures.processRssMb} MB ` +
    `(${(figures.processRssMb / figures.baselineRssMb).toFixed(1)}x the baseline, ${perCluster.toFixed(2)} MB per extra cluster); ` +
    `budget ${BUDGET_MB} MB: ${figures.processRssMb < BUDGET_MB ? 'within' : 'OVER'}`);
  return figures;
}
