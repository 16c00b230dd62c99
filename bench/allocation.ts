import { tmpdir } from 'node:os';
import { resolveConfig } from '../core/config.js';
import { isPgError, SqlState } from '../core/db/database.js';
import { migrate } from '../core/db/migrate.js';
import { PgDatabase } from '../core/db/pg-database.js';
import { createEngine } from '../core/engine.js';
import type { Engine } from '../core/engine.js';
import { FleetError } from '../core/errors.js';
import { DEFAULT_RANGES, insertCluster } from '../core/inventory/allocation.js';
import { benchServer, fmt, freshDatabase } from './support.js';

const CLIENTS = 8;
const PER_CLIENT = 250;
const BUDGET_RATE = 500;

interface Figures {
  rate: number;
  /** Attempts that collided with another client's allocation (unique or exclusion violation) and were retried. */
  conflicts: number;
  duplicates: number;
}

/** A collision with another allocator: the constraints refused a port or subnet someone else took first. */
function isCollision(error: unknown): boolean {
  if (error instanceof FleetError) return error.code === 'CONFLICT';
  return isPgError(error) && (error.code === SqlState.uniqueViolation || error.code === SqlState.exclusionViolation);
}

/** Runs `attempt` until it does not collide; returns how many times it collided. */
async function countingRetries(attempt: () => Promise<unknown>): Promise<number> {
  for (let conflicts = 0; ; conflicts += 1) {
    try {
      await attempt();
      return conflicts;
    } catch (error) {
      if (!isCollision(error) || conflicts > 1000) throw error;
    }
  }
}

/** The seed's db_next_available_port: read the highest port, add one, insert; retried on a collision. */
function readMaxThenInsert(db: PgDatabase, name: string): Promise<number> {
  return countingRetries(async () => {
    const max = await db.query<{ max: number | null }>('SELECT max(port) AS max FROM cluster_host_ports');
    const next = (max.rows[0]?.max ?? DEFAULT_RANGES.portMin - 1) + 1;
    await db.query("INSERT INTO clusters (name, provider, pf_port, http_port, https_port) VALUES ($1, 'kind', $2, $3, $4)",
      [name, next, next + 1, next + 2]);
  });
}

const providerFor = (name: string) => (name.endsWith('0') ? 'k3d' as const : 'kind' as const);

/** CLIENTS concurrent clients, each adding PER_CLIENT clusters one after another. */
async function run<C>(url: string, open: () => Promise<C>, close: (client: C) => Promise<void>,
  allocate: (client: C, name: string) => Promise<number>): Promise<Figures> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, open));
  const started = performance.now();
  const conflicts = await Promise.all(clients.map(async (client, c) => {
    let total = 0;
    for (let i = 0; i < PER_CLIENT; i += 1) total += await allocate(client, `c${c}-${i}`);
    return total;
  }));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map(close));
  const check = new PgDatabase(url, 1);
  const dup = await check.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT port FROM cluster_host_ports GROUP BY port HAVING count(*) > 1) d');
  const rows = await check.query<{ n: number }>('SELECT count(*)::int AS n FROM clusters');
  await check.close();
  if (rows.rows[0]!.n !== CLIENTS * PER_CLIENT) throw new Error(`expected ${CLIENTS * PER_CLIENT} clusters, found ${rows.rows[0]!.n}`);
  return { rate: (CLIENTS * PER_CLIENT) / seconds, conflicts: conflicts.reduce((a, b) => a + b, 0), duplicates: dup.rows[0]!.n };
}

const line = (label: string, f: Figures, note = '') =>
  `  ${label.padEnd(46)} ${fmt(f.rate, 0).padStart(5)} clusters/s, ${f.conflicts} conflicts${note}, ${f.duplicates} ports used twice`;

export async function benchAllocation(): Promise<void> {
  const server = await benchServer();
  try {
    const urls = [await freshDatabase(server.serverUrl), await freshDatabase(server.serverUrl), await freshDatabase(server.serverUrl)];
    for (const url of urls) {
      const db = new PgDatabase(url, 1);
      await migrate(db);
      await db.close();
    }
    const raw = await run(urls[0]!, async () => new PgDatabase(urls[0]!, 1), (db) => db.close(),
      (db, name) => countingRetries(() => insertCluster(db, { name, provider: providerFor(name) }, DEFAULT_RANGES)));
    // What a user's `clusters add` runs: validation, fleet_add_cluster, the audit row, the event and its NOTIFY.
    const config = resolveConfig({ databaseUrl: urls[1]! }, { HOME: tmpdir() });
    const service = await run<Engine>(urls[1]!, () => createEngine(config, { actor: { user: 'bench', host: 'bench' } }),
      (engine) => engine.close(), (engine, name) => countingRetries(() => engine.inventory.add({ name, provider: providerFor(name) })));
    const seed = await run(urls[2]!, async () => new PgDatabase(urls[2]!, 1), (db) => db.close(), readMaxThenInsert);
    const within = raw.conflicts === 0 && raw.duplicates === 0 && raw.rate >= BUDGET_RATE
      && service.conflicts === 0 && service.duplicates === 0 && service.rate >= BUDGET_RATE;
    console.log(`allocation, ${CLIENTS} concurrent clients x ${PER_CLIENT} clusters, real PostgreSQL`);
    console.log(line('fleet_add_cluster (advisory lock), raw', raw));
    console.log(line('inventory.add (+ validation, audit, NOTIFY)', service));
    console.log(line('read-max-then-insert (seed)', seed, ' (retried)'));
    console.log(`  ratio raw / seed rate:             ${fmt(raw.rate / seed.rate, 2)}x`);
    console.log(`  ratio inventory.add / raw rate:    ${fmt(service.rate / raw.rate, 2)}x`);
    console.log(`allocation: ${within ? 'within budget' : 'OVER BUDGET'} (0 conflicts and >= ${BUDGET_RATE} clusters/s, raw and through inventory.add)`);
  } finally {
    await server.stop();
  }
}
