import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { resolveConfig } from '../core/config.js';
import { createEngine } from '../core/engine.js';
import { benchServer, fmt, freshDatabase } from './support.js';

const BIN = join(process.cwd(), 'bin/fleetdeck.js');

async function fill(config: ReturnType<typeof resolveConfig>, count: number): Promise<void> {
  const engine = await createEngine(config);
  const values: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const port = 20000 + i * 3;
    values.push(`('env-${i}', 'kind', ${port}, ${port + 1}, ${port + 2})`);
  }
  for (let i = 0; i < values.length; i += 1000) {
    await engine.db.exec(`INSERT INTO clusters (name, provider, pf_port, http_port, https_port) VALUES ${values.slice(i, i + 1000).join(',')}`);
  }
  await engine.close();
}

async function timeLs(args: string[]): Promise<{ ms: number; count: number }> {
  const started = performance.now();
  const result = await execa('node', [BIN, ...args, 'clusters', 'ls', '--json'], { maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  return { ms, count: (JSON.parse(result.stdout) as unknown[]).length };
}

/** `clusters ls --json` over 10,000 clusters, as a user runs it: a whole process, start to exit. */
export async function benchInventoryList(): Promise<void> {
  const server = await benchServer();
  try {
    const url = await freshDatabase(server.serverUrl);
    await fill(resolveConfig({ databaseUrl: url }, { HOME: tmpdir() }), 10_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-'));
    await fill(resolveConfig({ dataDir }, { HOME: dataDir }), 10_000);
    const empty = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-empty-'));
    await fill(resolveConfig({ dataDir: empty }, { HOME: empty }), 0);
    const pgRun = await timeLs(['--database-url', url]);
    const embedded = await timeLs(['--data-dir', dataDir]);
    const embeddedEmpty = await timeLs(['--data-dir', empty]);
    console.log('clusters ls --json, whole process (node start to exit)');
    console.log(`  PostgreSQL server, ${pgRun.count} clusters:  ${fmt(pgRun.ms, 0)} ms`);
    console.log(`  embedded PGlite, ${embedded.count} clusters:   ${fmt(embedded.ms, 0)} ms (of which opening PGlite with 0 clusters: ${fmt(embeddedEmpty.ms, 0)} ms)`);
  } finally {
    await server.stop();
  }
}
