import { isPgError, SqlState } from '../core/db/database.js';
import { migrate } from '../core/db/migrate.js';
import { PgDatabase } from '../core/db/pg-database.js';
import { DEFAULT_RANGES, insertCluster } from '../core/inventory/allocation.js';
import { benchServer, fmt, freshDatabase } from './support.js';

const CLIENTS = 8;
const PER_CLIENT = 250;

interface Figures {
  rate: number;
  conflicts: number;
  duplicates: number;
}

/** The seed's db_next_available_port: read the highest port, add one, insert; retried on a collision. */
async function readMaxThenInsert(db: PgDatabase, name: string): Promise<number> {
  let conflicts = 0;
  for (;;) {
    const max = await db.query<{ max: number | null }>('SELECT max(port) AS max FROM cluster_host_ports');
    const next = (max.rows[0]?.max ?? DEFAULT_RANGES.portMin - 1) + 1;
    try {
      await db.query("INSERT INTO clusters (name, provider, pf_port, http_port, https_port) VALUES ($1, 'kind', $2, $3, $4)",
        [name, next, next + 1, next + 2]);
      return conflicts;
    } catch (error) {
      if (isPgError(error) && error.code === SqlState.uniqueViolation) {
        conflicts += 1;
        continue;
      }
      throw error;
    }
  }
}

async function run(url: string, allocate: (db: PgDatabase, name: string) => Promise<number>): Promise<Figures> {
  const clients = Array.from({ length: CLIENTS }, () => new PgDatabase(url, 1));
  const started = performance.now();
  const conflicts = await Promise.all(clients.map(async (db, c) => {
    let total = 0;
    for (let i = 0; i < PER_CLIENT; i += 1) total += await allocate(db, `c${c}-${i}`);
    return total;
  }));
  const seconds = (performance.now() - started) / 1000;
  const check = clients[0]!;
  const dup = await check.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT port FROM cluster_host_ports GROUP BY port HAVING count(*) > 1) d');
  await Promise.all(clients.map((db) => db.close()));
  return { rate: (CLIENTS * PER_CLIENT) / seconds, conflicts: conflicts.reduce((a, b) => a + b, 0), duplicates: dup.rows[0]!.n };
}

export async function benchAllocation(): Promise<void> {
  const server = await benchServer();
  try {
    const urls = [await freshDatabase(server.serverUrl), await freshDatabase(server.serverUrl)];
    for (const url of urls) {
      const db = new PgDatabase(url, 1);
      await migrate(db);
      await db.close();
    }
    const ours = await run(urls[0]!, async (db, name) => {
      await insertCluster(db, { name, provider: name.endsWith('0') ? 'k3d' : 'kind' }, DEFAULT_RANGES);
      return 0;
    });
    const seed = await run(urls[1]!, readMaxThenInsert);
    console.log(`allocation, ${CLIENTS} concurrent clients x ${PER_CLIENT} clusters, real PostgreSQL`);
    console.log(`  fleet_add_cluster (advisory lock):  ${fmt(ours.rate, 0)} clusters/s, ${ours.conflicts} conflicts, ${ours.duplicates} ports used twice`);
    console.log(`  read-max-then-insert (seed):        ${fmt(seed.rate, 0)} clusters/s, ${seed.conflicts} conflicts (retried), ${seed.duplicates} ports used twice`);
    console.log(`  ratio (ours / seed rate):           ${fmt(ours.rate / seed.rate, 2)}x`);
  } finally {
    await server.stop();
  }
}
