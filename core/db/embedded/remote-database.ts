import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Database, NotificationHandler, Queryable, QueryResult } from '../database.js';
import type { Request, Response } from './protocol.js';
import { ForwardedError, encode, lineReader } from './protocol.js';

/** Query results can be large (10,000 clusters); V8's string limit is the real bound. */
const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Body = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** A connection to the process that owns an embedded data directory; every call is forwarded to it. */
export class RemoteConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | null = null;
  onNotification: (channel: string, payload: string) => void = () => undefined;
  onClose: () => void = () => undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', lineReader((message) => this.receive(message as Response), {
      // An owner that sends garbage is treated as gone: this connection closes and the caller reconnects.
      onInvalid: () => socket.destroy(),
      maxLineBytes: () => MAX_RESPONSE_BYTES,
    }));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedError = new ForwardedError({ message: 'the owning fleetdeck process went away', retry: true });
      for (const { reject } of this.pending.values()) reject(this.closedError);
      this.pending.clear();
      this.onClose();
    });
  }

  /** Connects and says hello with the owner's token; rejects when the owner refuses it (e.g. a stale token). */
  static async open(socketPath: string, token: string): Promise<RemoteConnection> {
    const conn = await new Promise<RemoteConnection>((resolve, reject) => {
      const socket = connect(socketPath);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RemoteConnection(socket));
      });
      socket.once('error', reject);
    });
    try {
      await conn.call({ op: 'hello', token });
    } catch (error) {
      conn.socket.destroy();
      throw error;
    }
    return conn;
  }

  get isOpen(): boolean {
    return this.closedError === null;
  }

  call(body: Body): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(encode({ ...body, id } as Request));
    });
  }

  close(): void {
    this.socket.end();
  }

  private receive(message: Response): void {
    if ('notification' in message) {
      this.onNotification(message.notification.channel, message.notification.payload);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new ForwardedError(message.error));
  }
}

export function remoteQueryable(conn: RemoteConnection, tx?: number): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = (await conn.call({ op: 'query', sql, params: [...params], ...(tx === undefined ? {} : { tx }) })) as QueryResult<R>;
      return result;
    },
    async exec(sql: string): Promise<void> {
      await conn.call({ op: 'exec', sql, ...(tx === undefined ? {} : { tx }) });
    },
  };
}

/** Runs `fn` in a transaction held open by the owner; rolled back if `fn` throws or this process dies. */
export async function remoteTransaction<T>(conn: RemoteConnection, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const tx = (await conn.call({ op: 'begin' })) as number;
  let result: T;
  try {
    result = await fn(remoteQueryable(conn, tx));
  } catch (error) {
    await conn.call({ op: 'rollback', tx }).catch(() => undefined);
    throw error;
  }
  await conn.call({ op: 'commit', tx });
  return result;
}

export type { Database, NotificationHandler };
