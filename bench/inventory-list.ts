import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { resolveConfig } from '../core/config.js';
import { createEngine } from '../core/engine.js';
import { embeddedDir } from '../core/config.js';
import { EmbeddedDatabase } from '../core/db/embedded/embedded-database.js';
import { benchServer, fmt, freshDatabase, median } from './support.js';

const BIN = join(process.cwd(), 'bin/fleetdeck.js');
const COUNT = 10_000;
const SAMPLES = 5;
const BUDGET_MS = 1000;
const SELECT = `SELECT name, provider, subnet::text AS subnet, node_port, pf_port, http_port, https_port, register_portainer,
  haproxy_route, created_at, updated_at FROM clusters ORDER BY name`;

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

/**
 * The baselines: the least a script can do to print the same rows as JSON, in a whole node process of its
 * own, with the same library fleetdeck uses (pg, or PGlite on the same data directory).
 */
const BASELINE_PG = `
import pg from 'pg';
const client = new pg.Client({ connectionString: process.argv[1] });
await client.connect();
const { rows } = await client.query(${JSON.stringify(SELECT)});
process.stdout.write(JSON.stringify(rows, null, 2) + '\\n');
await client.end();`;

const BASELINE_PGLITE = `
import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create(process.argv[1]);
const { rows } = await db.query(${JSON.stringify(SELECT)});
process.stdout.write(JSON.stringify(rows, null, 2) + '\\n');
await db.close();`;

interface Run {
  label: string;
  command: [string, string[]];
}

async function once({ command: [file, args] }: Run): Promise<{ ms: number; count: number }> {
  const started = performance.now();
  const result = await execa(file, args, { maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  const text = String(result.stdout);
  const count = text.startsWith('[') ? (JSON.parse(text) as unknown[]).length : text.split('\n').filter(Boolean).length;
  return { ms, count };
}

/** Every run once per round, the order rotating each round, so a noisy machine slows them all alike. */
async function sample(runs: Run[]): Promise<Map<string, { median: number; all: number[]; count: number }>> {
  const times = new Map(runs.map((run) => [run.label, [] as number[]]));
  const counts = new Map<string, number>();
  for (let round = 0; round < SAMPLES; round += 1) {
    const order = runs.map((_, i) => runs[(i + round) % runs.length]!);
    for (const run of order) {
      const { ms, count } = await once(run);
      times.get(run.label)!.push(ms);
      counts.set(run.label, count);
    }
  }
  return new Map(runs.map((run) => [run.label, { median: median(times.get(run.label)!), all: times.get(run.label)!, count: counts.get(run.label) ?? 0 }]));
}

function report(title: string, results: Map<string, { median: number; all: number[]; count: number }>, ours: string, baseline: string): boolean {
  console.log(title);
  for (const [label, r] of results) {
    console.log(`  ${label.padEnd(44)} median ${fmt(r.median, 0).padStart(5)} ms  (${r.all.map((ms) => fmt(ms, 0)).join(', ')}; ${r.count} rows)`);
  }
  const mine = results.get(ours)!;
  const base = results.get(baseline)!;
  const within = mine.median < BUDGET_MS && mine.count === COUNT;
  console.log(`  ratio ${ours} / ${baseline}: ${fmt(mine.median / base.median, 2)}x;  budget < ${BUDGET_MS} ms: ${within ? 'within budget' : 'OVER BUDGET'}`);
  return within;
}

/** `clusters ls --json` over 10,000 clusters, as a user runs it: a whole process, start to exit, beside a minimal script. */
export async function benchInventoryList(): Promise<void> {
  const server = await benchServer();
  try {
    const url = await freshDatabase(server.serverUrl);
    await fill(resolveConfig({ databaseUrl: url }, { HOME: tmpdir() }), COUNT);
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-'));
    const config = resolveConfig({ dataDir }, { HOME: dataDir });
    await fill(config, COUNT);
    const psql = join((await execa('bash', ['-c', 'dirname /usr/lib/postgresql/*/bin/psql | sort -V | tail -1'])).stdout.trim(), 'psql');
    console.log(`clusters ls --json, ${COUNT} clusters, whole process (spawn to exit), median of ${SAMPLES} rounds`);
    const pg = await sample([
      { label: 'fleetdeck clusters ls --json', command: ['node', [BIN, '--database-url', url, 'clusters', 'ls', '--json']] },
      { label: 'node + pg script (baseline)', command: ['node', ['--input-type=module', '-e', BASELINE_PG, url]] },
      { label: 'psql, one JSON row per cluster', command: [psql, ['-At', '-d', url, '-c', `SELECT row_to_json(c) FROM (${SELECT}) c`]] },
    ]);
    const pgOk = report('PostgreSQL server:', pg, 'fleetdeck clusters ls --json', 'node + pg script (baseline)');
    const embedded = await sample([
      { label: 'fleetdeck clusters ls --json', command: ['node', [BIN, '--data-dir', dataDir, 'clusters', 'ls', '--json']] },
      { label: 'node + PGlite script (baseline)', command: ['node', ['--input-type=module', '-e', BASELINE_PGLITE, join(embeddedDir(config), 'pgdata')]] },
    ]);
    const embeddedOk = report('embedded PGlite, nobody else running (the process opens the data directory itself):', embedded,
      'fleetdeck clusters ls --json', 'node + PGlite script (baseline)');
    // The everyday case: a cockpit (here: this process) owns the data directory and the CLI forwards to it.
    const owner = await EmbeddedDatabase.open(embeddedDir(config));
    let forwarded;
    try {
      forwarded = await sample([
        { label: 'fleetdeck clusters ls --json (via owner)', command: ['node', [BIN, '--data-dir', dataDir, 'clusters', 'ls', '--json']] },
      ]);
    } finally {
      await owner.close();
    }
    forwarded.set('fleetdeck, nobody else running (above)', embedded.get('fleetdeck clusters ls --json')!);
    const forwardedOk = report('embedded PGlite, with a cockpit owning the data directory:', forwarded,
      'fleetdeck clusters ls --json (via owner)', 'fleetdeck, nobody else running (above)');
    console.log(`inventory-list: PostgreSQL ${pgOk ? 'within budget' : 'OVER BUDGET'}; embedded cold ${embeddedOk ? 'within budget' : 'OVER BUDGET'};`
      + ` embedded via a running cockpit ${forwardedOk ? 'within budget' : 'OVER BUDGET'}`);
  } finally {
    await server.stop();
  }
}
