/**
 * A burst of writes to one sandbox API server over HTTP (keep-alive, a few requests in flight, as kubectl apply or a
 * controller sends them): ConfigMap creates, then updates. The same burst runs against a cluster kept in memory only
 * (the baseline) and one that persists its state under a directory (every answered write appended to its log
 * first, snapshots behind it), so the ratio is what durability costs.
 * Run alone with `node dist/bench/sandbox-writes.js`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSandboxCluster, type SandboxCluster } from '../src/sandbox/kube-api/index.js';
import { fmt, median } from './support.js';

const WRITES = 1000;
const IN_FLIGHT = 4;
const RUNS = 5;

function send(agent: Agent, url: string, method: string, path: string, body: unknown): Promise<number> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(text);
  });
}

/** Writes per second for WRITES creates followed by WRITES updates of the same ConfigMaps. */
async function burst(cluster: SandboxCluster, run: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const base = '/api/v1/namespaces/default/configmaps';
  const configMap = (i: number, v: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${run}-${i}`, labels: { app: 'bench' } }, data: { value: v, padding: 'x'.repeat(200) } });
  const started = performance.now();
  for (const [method, expected] of [['POST', 201], ['PUT', 200]] as const) {
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < WRITES) {
        const i = next++;
        const status = await send(agent, cluster.url, method, method === 'POST' ? base : `${base}/cm-${run}-${i}`, configMap(i, method));
        if (status !== expected) throw new Error(`${method} answered ${status}`);
      }
    }));
  }
  agent.destroy();
  return (2 * WRITES) / ((performance.now() - started) / 1000);
}

/** Rounds alternate between the two clusters, after a warm-up burst on each, so drift in the machine hits both alike. */
async function measure(stateDir: string): Promise<{ memory: number[]; persisted: number[] }> {
  const memoryCluster = await startSandboxCluster({ name: 'bench-memory', controller: false });
  const persistedCluster = await startSandboxCluster({ name: 'bench-persisted', controller: false, stateDir });
  try {
    await burst(memoryCluster, -1);
    await burst(persistedCluster, -1);
    const memory: number[] = [];
    const persisted: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      memory.push(await burst(memoryCluster, run));
      persisted.push(await burst(persistedCluster, run));
    }
    return { memory, persisted };
  } finally {
    await memoryCluster.stop();
    await persistedCluster.stop();
  }
}

export async function benchSandboxWrites(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-writes-'));
  try {
    const { memory, persisted } = await measure(dir);
    const list = (rates: number[]): string => rates.map((r) => fmt(r, 0)).join(', ');
    console.log(`sandbox API server write burst (${WRITES} creates + ${WRITES} updates, ${IN_FLIGHT} in flight):`);
    console.log(`  in memory (baseline): ${list(memory)} writes/s (median ${fmt(median(memory), 0)})`);
    console.log(`  persisted, every answered write on disk first: ${list(persisted)} writes/s (median ${fmt(median(persisted), 0)}), ` +
      `${fmt(median(persisted) / median(memory), 2)}x the baseline`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchSandboxWrites();
