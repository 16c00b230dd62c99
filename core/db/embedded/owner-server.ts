import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Database, Queryable } from '../database.js';
import type { Request, Response } from './protocol.js';
import { encode, lineReader, toWireError } from './protocol.js';

interface OpenTransaction {
  tx: Queryable;
  finish: (commit: boolean) => void;
  done: Promise<void>;
}

/**
 * Serves the owner's database to other fleetdeck processes on a unix socket. On close it stops taking
 * new work, lets running requests and open transactions finish, then answers anything else with `retry`
 * so clients reconnect to whichever process owns the directory next.
 */
export class OwnerServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly transactions = new Map<number, OpenTransaction>();
  private readonly listening = new Map<string, Set<Socket>>();
  private readonly unlisteners: (() => Promise<void>)[] = [];
  private nextTx = 1;
  private closing = false;
  private db: Database | null = null;
  private attached: () => void = () => undefined;
  private readonly ready = new Promise<void>((resolve) => {
    this.attached = resolve;
  });

  constructor(private readonly socketPath: string) {}

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
    return this.sockets.size;
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
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const owned = new Set<number>();
    socket.on('data', lineReader((message) => this.handle(socket, message as Request, owned)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      for (const set of this.listening.values()) set.delete(socket);
      // A client that vanished mid-transaction leaves nothing half-written.
      for (const id of owned) this.transactions.get(id)?.finish(false);
    });
  }

  private send(socket: Socket, response: Response): void {
    if (!socket.destroyed) socket.write(encode(response));
  }

  private handle(socket: Socket, request: Request, owned: Set<number>): void {
    const inTransaction = 'tx' in request && request.tx !== undefined && this.transactions.has(request.tx);
    if (this.closing && !inTransaction && request.op !== 'commit' && request.op !== 'rollback') {
      this.send(socket, { id: request.id, ok: false, error: { message: 'owner is handing over', retry: true } });
      return;
    }
    const work = this.run(request, socket, owned).then(
      (result) => this.send(socket, { id: request.id, ok: true, result }),
      (error: unknown) => this.send(socket, { id: request.id, ok: false, error: toWireError(error) }),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private database(): Database {
    if (!this.db) throw Object.assign(new Error('owner is handing over'), { retry: true });
    return this.db;
  }

  private target(tx: number | undefined): Queryable {
    if (tx === undefined) return this.database();
    const open = this.transactions.get(tx);
    if (!open) throw new Error(`transaction ${tx} is no longer open`);
    return open.tx;
  }

  private async run(request: Request, socket: Socket, owned: Set<number>): Promise<unknown> {
    await this.ready;
    switch (request.op) {
      case 'query':
        return this.target(request.tx).query(request.sql, request.params);
      case 'exec':
        await this.target(request.tx).exec(request.sql);
        return undefined;
      case 'begin':
        return this.begin(owned);
      case 'commit':
      case 'rollback': {
        const open = this.transactions.get(request.tx);
        if (!open) throw new Error(`transaction ${request.tx} is no longer open`);
        open.finish(request.op === 'commit');
        await open.done;
        return undefined;
      }
      case 'listen':
        await this.subscribe(request.channel, socket);
        return undefined;
      case 'notify':
        await this.database().notify(request.channel, request.payload);
        return undefined;
    }
  }

  /** Opens a transaction that stays open until the client commits or rolls back; resolves with its id. */
  private begin(owned: Set<number>): Promise<number> {
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
      this.database().transaction(async (tx) => {
        this.transactions.set(id, { tx, finish, done });
        owned.add(id);
        resolveBegin(id);
        if (!(await decided)) throw new RollbackSignal();
      }).then(() => markDone(undefined), (error: unknown) => {
        if (error instanceof RollbackSignal) {
          markDone(undefined);
          return;
        }
        rejectBegin(error);
        markDone(error);
      }).finally(() => {
        this.transactions.delete(id);
        owned.delete(id);
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
