/**
 * Budget check for the sandbox world: 50 sandbox clusters in one process, all answering, under 300 MB in total.
 * Prints the time until every API server answered and the resident memory they added, next to the same
 * figures for a single cluster (the baseline) so the ratio shows the per-cluster cost.
 */
import { startSandboxCluster, type SandboxCluster } from '../src/sandbox/kube-api/index.js';

export interface SandboxMemoryFigures {
  clusters: number;
  startMs: number;
  rssDeltaMb: number;
  baselineStartMs: number;
  baselineRssDeltaMb: number;
  /** The whole process with all clusters up, for the "under 300 MB in total" budget. */
  processRssMb: number;
}

const MB = 1024 * 1024;

function settleHeap(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

async function startAndProbe(count: number): Promise<{ clusters: SandboxCluster[]; ms: number; rssDelta: number }> {
  settleHeap();
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const clusters = await Promise.all(Array.from({ length: count }, (_, i) => startSandboxCluster({ name: `bench-${count}-${i}`, controller: { jobDelayMs: 100 } })));
  await Promise.all(
    clusters.map(async (c) => {
      const res = await fetch(`${c.url}/api/v1/namespaces`);
      if (!res.ok) throw new Error(`${c.name} answered ${res.status}`);
      await res.arrayBuffer();
    }),
  );
  const ms = performance.now() - started;
  // A little realistic content: a namespace and a ready Deployment in every cluster.
  for (const c of clusters) {
    c.objects.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'whoami', namespace: 'whoami' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'whoami' } }, template: { metadata: { labels: { app: 'whoami' } }, spec: { containers: [{ name: 'whoami', image: 'traefik/whoami' }] } } },
    });
  }
  await new Promise((r) => setTimeout(r, 500));
  settleHeap();
  return { clusters, ms, rssDelta: process.memoryUsage().rss - before };
}

export async function benchSandboxMemory(count = 50): Promise<SandboxMemoryFigures> {
  const baseline = await startAndProbe(1);
  const fleet = await startAndProbe(count);
  const figures: SandboxMemoryFigures = {
    clusters: count,
    startMs: Math.round(fleet.ms),
    rssDeltaMb: Math.round((fleet.rssDelta / MB) * 10) / 10,
    baselineStartMs: Math.round(baseline.ms),
    baselineRssDeltaMb: Math.round((baseline.rssDelta / MB) * 10) / 10,
    processRssMb: Math.round(process.memoryUsage().rss / MB),
  };
  await Promise.all([...baseline.clusters, ...fleet.clusters].map((c) => c.stop()));
  console.log(`sandbox clusters: 1 cluster answering after ${figures.baselineStartMs} ms, +${figures.baselineRssDeltaMb} MB RSS (baseline)`);
  console.log(
    `sandbox clusters: ${count} clusters answering after ${figures.startMs} ms, +${figures.rssDeltaMb} MB RSS ` +
      `(${(figures.rssDeltaMb / count).toFixed(2)} MB per cluster); whole process ${figures.processRssMb} MB, budget 300 MB: ${figures.processRssMb < 300 ? 'within' : 'OVER'}`,
  );
  return figures;
}
