import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, NotificationHandler, Queryable, QueryResult } from './database.js';
import { ensurePrivateDir, needsRestricting, restrictTree } from './private-files.js';

interface PgliteQueryable {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(target: PgliteQueryable): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await target.query<R>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

let baselineOnly = false;

/**
 * PGlite's start-up is mostly PostgreSQL running WASM code for the first time. V8 compiles it lazily with
 * its baseline compiler (Liftoff) and then re-compiles hot functions with TurboFan in the background, which
 * on a busy 2-core machine competes with the start-up itself. Measured here (load ~11): opening an existing
 * data directory took 1.5-2.7 s by default and 1.2-1.8 s Liftoff-only, and reading 10,000 clusters was no
 * slower (0.4-1.1 s against 0.6-2.0 s). So the process keeps to Liftoff; FLEETDECK_WASM_TIERUP=1 opts out.
 * The flag affects all WebAssembly compiled after it is set: PGlite's, and Yoga's (Ink's layout engine) when the
 * cockpit opens the database while Ink loads. That costs the cockpit nothing measurable: keypress to frame at
 * 10,000 clusters was 8.1 ms with the whole process Liftoff-only against 8.3 ms without.
 */
function useBaselineWasmCompiler(): void {
  if (baselineOnly || process.env.FLEETDECK_WASM_TIERUP === '1') return;
  baselineOnly = true;
  setFlagsFromString('--liftoff-only');
}

/**
 * PostgreSQL's shared buffers. PGlite's initdb writes 128MB, and PostgreSQL's start-up in WASM grows with it (it
 * sets up the whole pool): measured here, 190-215 ms of the start against 80-90 ms with 16MB (about 60 ms + 1.1 ms/MB).
 * The fleet's database is small (with 10,000 clusters: 13MB in all, the clusters table 1.6MB with its indexes),
 * and whatever does not fit is one read away in the operating system's page cache.
 */
const SHARED_BUFFERS = '16MB';

/** The embedded default: PostgreSQL compiled to WASM, one process at a time per data directory. */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly target: string;
  private readonly plain: Queryable;

  private constructor(private readonly pglite: PGlite, dataDir: string | null) {
    this.target = dataDir ? `embedded ${dataDir}` : 'embedded (in memory)';
    this.plain = wrap(pglite as unknown as PgliteQueryable);
  }

  /** `dataDir` null keeps the database in memory (tests). */
  static async open(dataDir: string | null): Promise<PgliteDatabase> {
    if (dataDir) ensurePrivateDir(dataDir);
    useBaselineWasmCompiler();
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
    });
    // PGlite unpacks a new cluster world-readable (0666 files); PostgreSQL's own later files are 0600.
    if (dataDir && needsRestricting(join(dataDir, 'PG_VERSION'))) restrictTree(dataDir);
    return new PgliteDatabase(pglite, dataDir);
  }

  query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.plain.query<R>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.plain.exec(sql);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) => fn(wrap(tx as unknown as PgliteQueryable)));
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    return this.pglite.listen(channel, handler);
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.pglite.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}
