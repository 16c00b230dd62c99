/**
 * The HTTP action: one request per attempt with separate connect and read timeouts, optional TLS verification
 * skip, success decided by the status code, and the response recorded as outputs.httpResponse (body truncated).
 * Secret header values never appear in its messages.
 */
import http from 'node:http';
import https from 'node:https';
import { parseGoDuration } from '../schema/duration.js';
import type { Action, ActionOutputs, HTTPResponse } from '../schema/types.js';
import { secretValues } from '../render/redact.js';
import { ActionFailure, type ActionContext } from './types.js';

export const RESPONSE_BODY_LIMIT = 4096;
const DEFAULT_CONNECT_MS = 10_000;
const DEFAULT_READ_MS = 30_000;

export interface HttpResult {
  response: HTTPResponse;
  ok: boolean;
}

export function isSuccessStatus(status: number, successCodes: readonly number[] | undefined): boolean {
  return successCodes && successCodes.length > 0 ? successCodes.includes(status) : status >= 200 && status <= 299;
}

function scrub(text: string, action: Action): string {
  let out = text;
  for (const secret of secretValues(action)) out = out.split(secret).join('******');
  return out;
}

export async function runHttpAction(action: Action, ctx: ActionContext): Promise<ActionOutputs> {
  const config = action.http;
  if (!config) throw new ActionFailure(`action "${action.name}" has no http configuration`, {}, 'VALIDATION');
  let result: HttpResult;
  try {
    result = await sendRequest(action, ctx.signal);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ActionFailure(scrub(`${config.method ?? 'GET'} ${config.url}: ${message}`, action));
  }
  const outputs: ActionOutputs = { httpResponse: result.response };
  if (!result.ok) {
    const expected = config.successCodes?.length ? config.successCodes.join(', ') : '200-299';
    throw new ActionFailure(scrub(`${config.method ?? 'GET'} ${config.url} answered ${result.response.statusCode} (expected ${expected})`, action), outputs);
  }
  return outputs;
}

export function sendRequest(action: Action, signal: AbortSignal): Promise<HttpResult> {
  const config = action.http!;
  const url = new URL(config.url);
  const connectMs = (config.connectTimeout ? parseGoDuration(config.connectTimeout) : null) ?? DEFAULT_CONNECT_MS;
  const readMs = (config.readTimeout ? parseGoDuration(config.readTimeout) : null) ?? DEFAULT_READ_MS;
  const body = config.body ?? '';
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: config.method ?? 'GET',
      headers: { ...(body ? { 'content-length': Buffer.byteLength(body) } : {}), ...(config.headers ?? {}) },
      signal,
      ...(url.protocol === 'https:' ? { rejectUnauthorized: !config.insecureSkipVerify } : {}),
    });
    const connectTimer = setTimeout(() => request.destroy(new Error(`no connection within ${connectMs} ms`)), connectMs);
    request.on('socket', (socket) => {
      const connected = (): void => {
        clearTimeout(connectTimer);
        request.setTimeout(readMs, () => request.destroy(new Error(`no response within ${readMs} ms (read timeout)`)));
      };
      if (socket.connecting) socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      else connected();
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () => {
        clearTimeout(connectTimer);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        resolve({ response: { statusCode: status, body: text.length > RESPONSE_BODY_LIMIT ? `${text.slice(0, RESPONSE_BODY_LIMIT)}…` : text }, ok: isSuccessStatus(status, config.successCodes) });
      });
      response.on('error', reject);
    });
    request.on('error', (error) => {
      clearTimeout(connectTimer);
      reject(signal.aborted && signal.reason instanceof Error ? signal.reason : error);
    });
    request.end(body || undefined);
  });
}
