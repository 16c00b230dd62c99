import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, NotificationHandler, Queryable, QueryResult } from './database.js';

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
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir ?? undefined);
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
