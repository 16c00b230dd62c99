import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../errors.js';
import { ensurePrivateDir } from '../private-files.js';
import type { Database, NotificationHandler, Queryable, QueryResult } from '../database.js';
import { PgliteDatabase } from '../pglite-database.js';
import { OwnerServer } from './owner-server.js';
import { newOwnerToken, readOwnerToken, writeOwnerToken } from './owner-token.js';
import { ForwardedError } from './protocol.js';
import { RemoteConnection, remoteQueryable, remoteTransaction } from './remote-database.js';

type Backend = (
  | { role: 'owner'; db: PgliteDatabase; server: OwnerServer }
  | { role: 'client'; conn: RemoteConnection; plain: Queryable }
) & { subscribed: Set<string> };

/**
 * The address other processes reach the owner on. A Linux abstract socket: the kernel releases it the
 * moment the owner dies, so a crashed owner never leaves the data directory locked. Any local user can
 * connect to it, so it is only the ownership lock and the transport: the owner serves a connection only
 * after it presented the token from the 0600 file in the 0700 data directory (see owner-token.ts).
 */
export function ownerAddress(dataDir: string): string {
  const digest = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 24);
  return `\0fleetdeck-${digest}`;
}

const ACQUIRE_ATTEMPTS = 400;

export interface EmbeddedOptions {
  /** Refuse to create a database where there is none (read-only mode). */
  mustExist?: boolean;
  /** While this process owns the directory: a client's idle transaction is rolled back after this long. */
  idleTransactionTimeoutMs?: number;
}

/** True when `dataDir` already holds an embedded database. */
export function hasDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'pgdata', 'PG_VERSION'));
}

function isRetryable(error: unknown): boolean {
  return error instanceof ForwardedError && error.retry;
}

/**
 * PGlite serves one process. The first fleetdeck process on a data directory owns it and serves the
 * others over a socket; they forward every call. When the owner exits, a remaining process takes over.
 */
export class EmbeddedDatabase implements Database {
  readonly target: string;
  private backend: Backend | null = null;
  private acquiring: Promise<Backend> | null = null;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private closed = false;

  private constructor(private readonly dataDir: string, private readonly options: EmbeddedOptions) {
    this.target = `embedded ${dataDir}`;
  }

  static async open(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
    if (options.mustExist && !hasDatabase(dataDir)) {
      throw new FleetError('UNAVAILABLE', `there is no fleetdeck database in ${dataDir}`,
        'Read-only mode never creates one: run `fleetdeck migrate` (without --readonly) to create it, or point --data-dir at an existing one.');
    }
    ensurePrivateDir(dataDir);
    const db = new EmbeddedDatabase(dataDir, options);
    await db.connect();
    return db;
  }

  get kind(): 'pglite' | 'remote' {
    return this.backend?.role === 'client' ? 'remote' : 'pglite';
  }

  /** True while this process owns the data directory. */
  get isOwner(): boolean {
    return this.backend?.role === 'owner';
  }

  query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.withRetry((backend) =>
      backend.role === 'owner' ? backend.db.query<R>(sql, params) : backend.plain.query<R>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.withRetry((backend) => (backend.role === 'owner' ? backend.db.exec(sql) : backend.plain.exec(sql)));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // Only a refusal before the transaction began is retried; fn never runs twice.
    let started = false;
    const guarded = (tx: Queryable): Promise<T> => {
      started = true;
      return fn(tx);
    };
    return this.withRetry((backend) =>
      backend.role === 'owner' ? backend.db.transaction(guarded) : remoteTransaction(backend.conn, guarded),
    () => !started);
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    if (first) await this.withRetry((backend) => this.subscribe(backend, channel));
    const handlers = set;
    return async () => {
      handlers.delete(handler);
    };
  }

  notify(channel: string, payload: string): Promise<void> {
    return this.withRetry((backend) =>
      backend.role === 'owner' ? backend.db.notify(channel, payload)
        : backend.conn.call({ op: 'notify', channel, payload }).then(() => undefined));
  }

  async close(): Promise<void> {
    this.closed = true;
    const backend = this.backend;
    this.backend = null;
    if (!backend) return;
    if (backend.role === 'client') {
      backend.conn.close();
      return;
    }
    await backend.server.close();
    await backend.db.close();
    // Only our own record: by now another process may have taken over and written its own.
    const record = join(this.dataDir, 'owner.json');
    try {
      if ((JSON.parse(readFileSync(record, 'utf8')) as { pid?: number }).pid === process.pid) rmSync(record, { force: true });
    } catch {
      // Gone already, or being rewritten by the next owner.
    }
  }

  private dispatch(channel: string, payload: string): void {
    for (const handler of this.handlers.get(channel) ?? []) handler(payload);
  }

  private async subscribe(backend: Backend, channel: string): Promise<void> {
    if (backend.subscribed.has(channel)) return;
    backend.subscribed.add(channel);
    try {
      if (backend.role === 'owner') {
        await backend.db.listen(channel, (payload) => this.dispatch(channel, payload));
      } else {
        await backend.conn.call({ op: 'listen', channel });
      }
    } catch (error) {
      backend.subscribed.delete(channel);
      throw error;
    }
  }

  private async withRetry<T>(run: (backend: Backend) => Promise<T>, mayRetry: () => boolean = () => true): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const backend = await this.connect();
      try {
        return await run(backend);
      } catch (error) {
        if (!isRetryable(error) || !mayRetry() || attempt >= 20 || this.closed) throw error;
        if (this.backend === backend) this.backend = null;
      }
    }
  }

  private connect(): Promise<Backend> {
    if (this.closed) return Promise.reject(new FleetError('UNAVAILABLE', 'the database is closed', 'Restart fleetdeck.'));
    if (this.backend && (this.backend.role === 'owner' || this.backend.conn.isOpen)) return Promise.resolve(this.backend);
    this.acquiring ??= this.acquire().finally(() => {
      this.acquiring = null;
    });
    return this.acquiring;
  }

  private async acquire(): Promise<Backend> {
    const address = ownerAddress(this.dataDir);
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt += 1) {
      const token = newOwnerToken();
      const server = new OwnerServer(address, {
        token, ...(this.options.idleTransactionTimeoutMs === undefined ? {} : { idleTransactionTimeoutMs: this.options.idleTransactionTimeoutMs }),
      });
      try {
        await server.listen();
      } catch {
        try {
          // A new owner may not have written its token yet: the stale one is refused and we try again.
          const current = readOwnerToken(this.dataDir);
          if (current === null) throw new Error('no owner token yet');
          const conn = await RemoteConnection.open(address, current);
          conn.onNotification = (channel, payload) => this.dispatch(channel, payload);
          const backend: Backend = { role: 'client', conn, plain: remoteQueryable(conn), subscribed: new Set() };
          conn.onClose = () => this.ownerWentAway(backend);
          await this.resubscribe(backend);
          this.backend = backend;
          return backend;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 25));
          continue;
        }
      }
      writeOwnerToken(this.dataDir, token);
      let db: PgliteDatabase;
      try {
        db = await PgliteDatabase.open(join(this.dataDir, 'pgdata'));
      } catch (error) {
        await server.close(0).catch(() => undefined);
        throw error;
      }
      server.attach(db);
      writeFileSync(join(this.dataDir, 'owner.json'), JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), { mode: 0o600 });
      const backend: Backend = { role: 'owner', db, server, subscribed: new Set() };
      await this.resubscribe(backend);
      this.backend = backend;
      return backend;
    }
    throw new FleetError('UNAVAILABLE', `could not open the embedded database in ${this.dataDir}`,
      'Another fleetdeck process holds it but does not answer; stop that process and try again.');
  }

  private async resubscribe(backend: Backend): Promise<void> {
    for (const channel of this.handlers.keys()) await this.subscribe(backend, channel);
  }

  /** A process with live subscriptions reconnects at once, so it keeps receiving events or becomes the owner. */
  private ownerWentAway(backend: Backend): void {
    if (this.backend === backend) this.backend = null;
    if (this.closed || this.handlers.size === 0) return;
    setTimeout(() => {
      if (!this.closed) void this.connect().catch(() => undefined);
    }, Math.floor(Math.random() * 50)).unref();
  }
}
