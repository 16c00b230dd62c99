import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Database, Queryable } from '../database.js';
import { tokensMatch } from './owner-token.js';
import type { Request, Response } from './protocol.js';
import { IDLE_IN_TRANSACTION_TIMEOUT, encode, isRequest, lineReader, toWireError } from './protocol.js';

export interface OwnerServerOptions {
  /** Only a connection whose first message is `hello` with this token is served. */
  token: string;
  /** A client's transaction with no request running for this long is rolled back (default 10 s). */
  idleTransactionTimeoutMs?: number;
  /** An unauthenticated connection that says nothing for this long is closed (default 5 s). */
  helloTimeoutMs?: number;
}

export const DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS = 10_000;

/** Lines an unauthenticated peer may send (a hello is ~100 bytes); trusted peers may send big parameters. */
const MAX_LINE_UNAUTHENTICATED = 1024;
const MAX_LINE_AUTHENTICATED = 256 * 1024 * 1024;

interface OpenTransaction {
  tx: Queryable;
  finish: (commit: boolean) => void;
  done: Promise<void>;
  /** Requests of this transaction still running; the idle clock only runs at zero. */
  busy: number;
  idleTimer: NodeJS.Timeout | null;
}

/** One connected client. */
interface Session {
  socket: Socket;
  authenticated: boolean;
  owned: Set<number>;
  /** Transactions the owner rolled back for idling, with the error their next request gets. */
  expired: Map<number, string>;
}

/**
 * Serves the owner's database to other fleetdeck processes of the same OS user on a unix socket. Every
 * connection must first prove it can read the data directory's token file. On close it stops taking new
 * work, lets running requests and open transactions finish, then answers anything else with `retry`
 * so clients reconnect to whichever process owns the directory next.
 */
export class OwnerServer {
  private server: Server | null = null;
  private readonly sessions = new Set<Session>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly transactions = new Map<number, OpenTransaction>();
  private readonly listening = new Map<string, Set<Socket>>();
  private readonly unlisteners: (() => Promise<void>)[] = [];
  private readonly idleTimeoutMs: number;
  private readonly helloTimeoutMs: number;
  private nextTx = 1;
  private closing = false;
  private db: Database | null = null;
  private attached: () => void = () => undefined;
  private readonly ready = new Promise<void>((resolve) => {
    this.attached = resolve;
  });

  constructor(private readonly socketPath: string, private readonly options: OwnerServerOptions) {
    this.idleTimeoutMs = options.idleTransactionTimeoutMs ?? DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS;
    this.helloTimeoutMs = options.helloTimeoutMs ?? 5_000;
  }

  /** Binding the socket is the ownership lock: it fails with EADDRINUSE while another process owns it. */
  async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Requests that arrive between binding and opening the database wait for this. */
  attach(db: Database): void {
    this.db = db;
    this.attached();
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const deadline = Date.now() + graceMs;
    while ((this.inFlight.size > 0 || this.transactions.size > 0) && Date.now() < deadline) {
      await Promise.race([...this.inFlight, ...[...this.transactions.values()].map((t) => t.done),
        new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    for (const open of this.transactions.values()) open.finish(false);
    this.attached();
    for (const unlisten of this.unlisteners) await unlisten().catch(() => undefined);
    for (const session of this.sessions) session.socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    const session: Session = { socket, authenticated: false, owned: new Set(), expired: new Map() };
    this.sessions.add(session);
    const helloTimer = setTimeout(() => {
      if (!session.authenticated) socket.destroy();
    }, this.helloTimeoutMs);
    helloTimer.unref();
    socket.on('data', lineReader((message) => this.receive(session, message), {
      // A peer that sends garbage loses its own connection, nothing else.
      onInvalid: () => socket.destroy(),
      maxLineBytes: () => (session.authenticated ? MAX_LINE_AUTHENTICATED : MAX_LINE_UNAUTHENTICATED),
    }));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(helloTimer);
      this.sessions.delete(session);
      for (const set of this.listening.values()) set.delete(socket);
      // A client that vanished mid-transaction leaves nothing half-written.
      for (const id of session.owned) this.transactions.get(id)?.finish(false);
    });
  }

  private receive(session: Session, message: unknown): void {
    if (!isRequest(message)) {
      session.socket.destroy();
      return;
    }
    if (!session.authenticated) {
      this.authenticate(session, message);
      return;
    }
    if (message.op === 'hello') {
      this.send(session.socket, { id: message.id, ok: true });
      return;
    }
    this.handle(session, message);
  }

  /** The first message must be a hello with the right token; anything else is refused and the connection closed. */
  private authenticate(session: Session, request: Request): void {
    if (request.op === 'hello' && tokensMatch(this.options.token, request.token)) {
      session.authenticated = true;
      this.send(session.socket, { id: request.id, ok: true });
      return;
    }
    this.send(session.socket, { id: request.id, ok: false,
      error: { code: '28000', message: 'refused: the connection did not present this data directory\'s owner token' } });
    session.socket.end();
    setTimeout(() => session.socket.destroy(), 1000).unref();
  }

  private send(socket: Socket, response: Response): void {
    if (!socket.destroyed && socket.writable) socket.write(encode(response));
  }

  private handle(session: Session, request: Request): void {
    const inTransaction = 'tx' in request && request.tx !== undefined && this.transactions.has(request.tx);
    if (this.closing && !inTransaction && request.op !== 'commit' && request.op !== 'rollback') {
      this.send(session.socket, { id: request.id, ok: false, error: { message: 'owner is handing over', retry: true } });
      return;
    }
    const txId = 'tx' in request ? request.tx : undefined;
    const open = txId !== undefined && session.owned.has(txId) ? this.transactions.get(txId) : undefined;
    if (open) this.markBusy(open);
    const work = this.run(request, session).then(
      (result) => this.send(session.socket, { id: request.id, ok: true, result }),
      (error: unknown) => this.send(session.socket, { id: request.id, ok: false, error: toWireError(error) }),
    );
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      if (open && txId !== undefined && request.op !== 'commit' && request.op !== 'rollback') this.markIdle(txId, open, session);
    });
  }

  private markBusy(open: OpenTransaction): void {
    open.busy += 1;
    if (open.idleTimer) clearTimeout(open.idleTimer);
    open.idleTimer = null;
  }

  /** Starts the idle clock of a transaction that has nothing running; on expiry it is rolled back. */
  private markIdle(id: number, open: OpenTransaction, session: Session): void {
    open.busy = Math.max(0, open.busy - 1);
    if (open.busy > 0 || !this.transactions.has(id)) return;
    open.idleTimer = setTimeout(() => {
      if (open.busy > 0 || this.transactions.get(id) !== open) return;
      const seconds = this.idleTimeoutMs / 1000;
      session.expired.set(id, `the transaction was idle for more than ${seconds} s and was rolled back, `
        + 'so that other fleetdeck processes could use the database');
      open.finish(false);
    }, this.idleTimeoutMs);
    open.idleTimer.unref();
  }

  private database(): Database {
    if (!this.db) throw Object.assign(new Error('owner is handing over'), { retry: true });
    return this.db;
  }

  private expiredError(session: Session, tx: number): Error | null {
    const message = session.expired.get(tx);
    return message === undefined ? null : Object.assign(new Error(message), { code: IDLE_IN_TRANSACTION_TIMEOUT });
  }

  private target(session: Session, tx: number | undefined): Queryable {
    if (tx === undefined) return this.database();
    const open = session.owned.has(tx) ? this.transactions.get(tx) : undefined;
    if (!open) throw this.expiredError(session, tx) ?? new Error(`transaction ${tx} is no longer open`);
    return open.tx;
  }

  private async run(request: Request, session: Session): Promise<unknown> {
    await this.ready;
    switch (request.op) {
      case 'hello':
        return undefined;
      case 'query':
        return this.target(session, request.tx).query(request.sql, request.params);
      case 'exec':
        await this.target(session, request.tx).exec(request.sql);
        return undefined;
      case 'begin':
        return this.begin(session);
      case 'commit':
      case 'rollback': {
        const open = session.owned.has(request.tx) ? this.transactions.get(request.tx) : undefined;
        if (!open) {
          const expired = this.expiredError(session, request.tx);
          session.expired.delete(request.tx);
          // Rolling back what the owner already rolled back is fine; committing it is not.
          if (expired && request.op === 'rollback') return undefined;
          throw expired ?? new Error(`transaction ${request.tx} is no longer open`);
        }
        open.finish(request.op === 'commit');
        await open.done;
        return undefined;
      }
      case 'listen':
        await this.subscribe(request.channel, session.socket);
        return undefined;
      case 'notify':
        await this.database().notify(request.channel, request.payload);
        return undefined;
    }
  }

  /** Opens a transaction that stays open until the client commits, rolls back or idles out; resolves with its id. */
  private begin(session: Session): Promise<number> {
    const id = this.nextTx++;
    return new Promise<number>((resolveBegin, rejectBegin) => {
      let finish: (commit: boolean) => void = () => undefined;
      const decided = new Promise<boolean>((resolve) => {
        finish = resolve;
      });
      let markDone: (error: unknown) => void = () => undefined;
      const done = new Promise<void>((resolve, reject) => {
        markDone = (error) => (error === undefined ? resolve() : reject(error as Error));
      });
      done.catch(() => undefined);
      const open: OpenTransaction = { tx: null as unknown as Queryable, finish, done, busy: 1, idleTimer: null };
      this.database().transaction(async (tx) => {
        open.tx = tx;
        this.transactions.set(id, open);
        session.owned.add(id);
        resolveBegin(id);
        this.markIdle(id, open, session);
        if (!(await decided)) throw new RollbackSignal();
      }).then(() => markDone(undefined), (error: unknown) => {
        if (error instanceof RollbackSignal) {
          markDone(undefined);
          return;
        }
        rejectBegin(error);
        markDone(error);
      }).finally(() => {
        if (open.idleTimer) clearTimeout(open.idleTimer);
        this.transactions.delete(id);
        session.owned.delete(id);
      });
    });
  }

  private async subscribe(channel: string, socket: Socket): Promise<void> {
    let set = this.listening.get(channel);
    if (!set) {
      set = new Set();
      this.listening.set(channel, set);
      const subscribers = set;
      this.unlisteners.push(await this.database().listen(channel, (payload) => {
        for (const subscriber of subscribers) this.send(subscriber, { notification: { channel, payload } });
      }));
    }
    set.add(socket);
  }
}

class RollbackSignal extends Error {}
