import { StringDecoder } from 'node:string_decoder';

/**
 * Newline-delimited JSON between the process owning an embedded data directory and the others.
 * A connection opens with `hello` carrying the owner's token (read from the 0600 token file in the data
 * directory); nothing else is answered before it. Requests carry an id; the owner answers each once.
 * Notifications are pushed unasked.
 */
export type Request =
  | { id: number; op: 'hello'; token: string }
  | { id: number; op: 'query'; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'listen'; channel: string }
  | { id: number; op: 'notify'; channel: string; payload: string };

export interface WireError {
  message: string;
  code?: string;
  constraint?: string;
  detail?: string;
  /** The owner is handing over and did not run the request: reconnect and send it again. */
  retry?: boolean;
}

export type Response =
  | { id: number; ok: true; result?: unknown }
  | { id: number; ok: false; error: WireError }
  | { notification: { channel: string; payload: string } };

/** SQLSTATE the owner answers with when it rolled back a client's idle transaction (PostgreSQL's own code). */
export const IDLE_IN_TRANSACTION_TIMEOUT = '25P03';

export function encode(message: Request | Response): string {
  return `${JSON.stringify(message)}\n`;
}

export interface LineReaderOptions {
  /** Called once, for a line that is not JSON or a line longer than `maxLineBytes`; no message follows it. */
  onInvalid(reason: string): void;
  /** The longest line accepted; read on every chunk, so it can grow once a peer is trusted. */
  maxLineBytes(): number;
}

/**
 * Splits a byte stream into JSON messages. A malformed line stops the reader instead of throwing. A long
 * message (10,000 clusters are ~3 MB) arrives in many chunks: only each new chunk is searched for the
 * newline, and the pieces are joined once, so reading it is linear in its size.
 */
export function lineReader(onMessage: (message: unknown) => void, options: LineReaderOptions): (chunk: Buffer) => void {
  // A multi-byte character may be split between two chunks; the decoder keeps its first bytes for the next.
  const decoder = new StringDecoder('utf8');
  let pieces: string[] = [];
  let pending = 0;
  let broken = false;
  const fail = (reason: string) => {
    broken = true;
    pieces = [];
    options.onInvalid(reason);
  };
  const deliver = (line: string): boolean => {
    if (!line) return true;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      fail('a message that is not JSON');
      return false;
    }
    onMessage(message);
    return !broken;
  };
  return (chunk) => {
    if (broken) return;
    let text = decoder.write(chunk);
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      pieces.push(text.slice(0, newline));
      const line = pieces.join('');
      pieces = [];
      pending = 0;
      if (!deliver(line)) return;
      text = text.slice(newline + 1);
      newline = text.indexOf('\n');
    }
    if (text) {
      pieces.push(text);
      pending += text.length;
    }
    if (pending > options.maxLineBytes()) fail('a message longer than allowed');
  };
}

const OPS = new Set(['hello', 'query', 'exec', 'begin', 'commit', 'rollback', 'listen', 'notify']);

/** True when `value` has the shape of a Request; the owner closes a connection that sends anything else. */
export function isRequest(value: unknown): value is Request {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r.id) || typeof r.op !== 'string' || !OPS.has(r.op)) return false;
  if (r.tx !== undefined && !Number.isSafeInteger(r.tx)) return false;
  switch (r.op) {
    case 'hello':
      return typeof r.token === 'string';
    case 'query':
      return typeof r.sql === 'string' && Array.isArray(r.params);
    case 'exec':
      return typeof r.sql === 'string';
    case 'commit':
    case 'rollback':
      return Number.isSafeInteger(r.tx);
    case 'listen':
      return typeof r.channel === 'string';
    case 'notify':
      return typeof r.channel === 'string' && typeof r.payload === 'string';
    default:
      return true;
  }
}

export function toWireError(error: unknown): WireError {
  const e = error as { message?: string; code?: unknown; constraint?: unknown; detail?: unknown; retry?: unknown };
  return {
    ...(e?.retry === true ? { retry: true } : {}),
    message: e?.message ?? String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.constraint === 'string' ? { constraint: e.constraint } : {}),
    ...(typeof e?.detail === 'string' ? { detail: e.detail } : {}),
  };
}

/** An error re-created on the forwarding side, with the same SQLSTATE fields as a driver error. */
export class ForwardedError extends Error {
  readonly code: string | undefined;
  readonly constraint: string | undefined;
  readonly detail: string | undefined;
  readonly retry: boolean;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = 'ForwardedError';
    this.code = wire.code;
    this.constraint = wire.constraint;
    this.detail = wire.detail;
    this.retry = wire.retry ?? false;
  }
}
