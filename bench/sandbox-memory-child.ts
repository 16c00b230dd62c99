/**
 * Run by bench/sandbox-memory.ts in a fresh Node process: starts N sandbox clusters, waits until each answers,
 * gives each a ready Deployment, and prints one JSON line with the time to answer and this process's RSS.
 */
import { startSandboxCluster } from '../src/sandbox/kube-api/index.js';

const count = Number(process.argv[2] ?? '1');
const started = performance.now();
const clusters = await Promise.all(Array.from({ length: count }, (_, i) => startSandboxCluster({ name: `bench-${i}`, controller: { jobDelayMs: 100 } })));
await Promise.all(clusters.map(async (c) => {
  const response = await fetch(`${c.url}/api/v1/namespaces`);
  if (!response.ok) throw new Error(`${c.name} answered ${response.status}`);
  await response.arrayBuffer();
}));
const answeredMs = performance.now() - started;
for (const c of clusters) {
  c.objects.put({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'whoami', namespace: 'whoami' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'whoami' } }, template: { metadata: { labels: { app: 'whoami' } }, spec: { containers: [{ name: 'whoami', image: 'traefik/whoami' }] } } },
  });
}
await new Promise((resolve) => setTimeout(resolve, 500));
(globalThis as { gc?: () => void }).gc?.();
const rss = process.memoryUsage().rss;
process.stdout.write(`${JSON.stringify({ clusters: count, answeredMs, rss })}\n`);
await Promise.all(clusters.map((c) => c.stop()));
