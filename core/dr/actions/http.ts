/**
 * The HTTP action: one request per attempt with separate connect and read timeouts, TLS verified against the
 * system roots or the action's CA bundle (or skipped with insecureSkipVerify), an optional client certificate,
 * success decided by the status code, and the response recorded as outputs.httpResponse (body truncated).
 * Secret values never appear in its messages or in the recorded body.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { parseGoDuration } from '../schema/duration.js';
import type { Action, ActionOutputs, HTTPAction, HTTPResponse } from '../schema/types.js';
import { scrubText } from '../render/redact.js';
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

export async function runHttpAction(action: Action, ctx: ActionContext): Promise<ActionOutputs> {
  const config = action.http;
  if (!config) throw new ActionFailure(`action "${action.name}" has no http configuration`, {}, 'VALIDATION');
  const secrets = ctx.secrets ?? [];
  let result: HttpResult;
  try {
    result = await sendRequest(action, ctx.signal, secrets);
  } catch (error) {
    if (error instanceof ActionFailure) throw new ActionFailure(scrubText(error.message, secrets), {}, error.code, error.hint);
    const message = error instanceof Error ? error.message : String(error);
    throw new ActionFailure(scrubText(`${config.method ?? 'GET'} ${config.url}: ${message}`, secrets));
  }
  const outputs: ActionOutputs = { httpResponse: result.response };
  if (!result.ok) {
    const expected = config.successCodes?.length ? config.successCodes.join(', ') : '200-299';
    throw new ActionFailure(scrubText(`${config.method ?? 'GET'} ${config.url} answered ${result.response.statusCode} (expected ${expected})`, secrets), outputs);
  }
  return outputs;
}

/** PEM text from a `…Data` field (PEM, or base64 of PEM as a kubeconfig holds it) or a `…File` path. */
function pem(config: HTTPAction, data: 'caData' | 'certData' | 'keyData', file: 'caFile' | 'certFile' | 'keyFile'): string | undefined {
  const inline = config[data];
  if (inline) return inline.includes('-----BEGIN') ? inline : Buffer.from(inline, 'base64').toString('utf8');
  const path = config[file];
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ActionFailure(`http.${file} "${path}" cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {}, 'VALIDATION', `Check the path in http.${file} on the machine running fleetdeck.`);
  }
}

export function tlsOptions(config: HTTPAction): https.RequestOptions {
  const ca = pem(config, 'caData', 'caFile');
  const cert = pem(config, 'certData', 'certFile');
  const key = pem(config, 'keyData', 'keyFile');
  return {
    rejectUnauthorized: !config.insecureSkipVerify,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  };
}

export function sendRequest(action: Action, signal: AbortSignal, secrets: readonly string[] = []): Promise<HttpResult> {
  const config = action.http!;
  const url = new URL(config.url);
  const secure = url.protocol === 'https:';
  const connectMs = (config.connectTimeout ? parseGoDuration(config.connectTimeout) : null) ?? DEFAULT_CONNECT_MS;
  const readMs = (config.readTimeout ? parseGoDuration(config.readTimeout) : null) ?? DEFAULT_READ_MS;
  const body = config.body ?? '';
  const client = secure ? https : http;
  const tls = secure ? tlsOptions(config) : {};
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: config.method ?? 'GET',
      headers: { ...(body ? { 'content-length': Buffer.byteLength(body) } : {}), ...(config.headers ?? {}) },
      signal,
      // A fresh connection per attempt: the connect timeout must measure a real connect (and TLS handshake).
      agent: false,
      ...tls,
    });
    const connectTimer = setTimeout(() => request.destroy(new Error(`no connection within ${connectMs} ms (connect timeout)`)), connectMs);
    request.on('socket', (socket) => {
      const connected = (): void => {
        clearTimeout(connectTimer);
        request.setTimeout(readMs, () => request.destroy(new Error(`no response within ${readMs} ms (read timeout)`)));
      };
      if (socket.connecting) socket.once(secure ? 'secureConnect' : 'connect', connected);
      else connected();
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_BODY_LIMIT * 2) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () => {
        clearTimeout(connectTimer);
        // Scrubbed before truncation, so a secret cut in half at the limit cannot leak its first part.
        const text = scrubText(Buffer.concat(chunks).toString('utf8'), secrets);
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
