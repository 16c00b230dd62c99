import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetError } from '../../core/errors.js';

const STATUS_FOR: Record<string, number> = {
  VALIDATION: 400, NOT_FOUND: 404, CONFLICT: 409, READONLY: 403, FORBIDDEN: 403, UNAUTHORIZED: 401, TIMEOUT: 504, UNAVAILABLE: 503,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Errors as JSON, never with a stack: `{ "error": { code, message, hint } }`. */
export function sendError(res: ServerResponse, error: FleetError): void {
  sendJson(res, STATUS_FOR[error.code] ?? 500, { error: { code: error.code, message: error.message, hint: error.hint } });
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
