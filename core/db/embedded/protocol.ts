/**
 * Newline-delimited JSON between the process owning an embedded data directory and the others.
 * Requests carry an id; the owner answers each once. Notifications are pushed unasked.
 */
export type Request =
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

export function encode(message: Request | Response): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a byte stream into JSON messages. */
export function lineReader(onMessage: (message: unknown) => void): (chunk: Buffer) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line) onMessage(JSON.parse(line));
      newline = buffer.indexOf('\n');
    }
  };
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
