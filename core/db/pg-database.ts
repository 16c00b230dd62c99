import pg from 'pg';
import type { Database, NotificationHandler, Queryable, QueryResult } from './database.js';
import { redactDatabaseUrl } from './database.js';
import { explainConnectionError } from './connection-errors.js';

// int8 and numeric come back as strings by default; counts and ids fit in a JS number here.
pg.types.setTypeParser(20, (value) => Number(value));

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

/** The `pg` adapter: a pool for queries and one dedicated connection for LISTEN. */
export class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly target: string;
  private readonly pool: pg.Pool;
  private readonly plain: Queryable;
  private listener: pg.Client | null = null;
  private listenerReady: Promise<pg.Client> | null = null;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private closed = false;

  constructor(private readonly url: string, poolSize = 10) {
    this.target = redactDatabaseUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
    this.pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on next use.
    });
    this.plain = wrap(this.pool);
  }

  query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.explained(this.plain.query<R>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.explained(this.plain.exec(sql));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.explained(this.pool.connect());
    try {
      await client.query('BEGIN');
      const result = await fn(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    const client = await this.explained(this.listenerClient());
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
    };
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.explained(this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]));
  }

  /** Connection failures (server down, wrong password, no such database, TLS) become DatabaseUnavailable. */
  private explained<T>(work: Promise<T>): Promise<T> {
    return work.catch((error: unknown) => {
      throw explainConnectionError(error, this.url);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private listenerClient(): Promise<pg.Client> {
    if (this.listenerReady) return this.listenerReady;
    this.listenerReady = (async () => {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
      client.on('notification', (message) => {
        for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      client.on('error', () => this.reconnectListener());
      await client.connect();
      this.listener = client;
      return client;
    })();
    return this.listenerReady;
  }

  /** A dropped LISTEN connection is re-established and re-subscribed; periodic re-reads cover the gap. */
  private reconnectListener(): void {
    if (this.closed) return;
    this.listenerReady = null;
    setTimeout(() => {
      if (this.closed) return;
      void this.listenerClient()
        .then(async (client) => {
          for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
        })
        .catch(() => this.reconnectListener());
    }, 1000).unref();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
