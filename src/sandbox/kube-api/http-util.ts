/** Small helpers for answering HTTP requests the way kube-apiserver does. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, StatusError } from './status.js';
import { decodeKubeProtobuf } from './protobuf.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatusError(res: ServerResponse, error: StatusError): void {
  sendJson(res, error.code, error.toStatus());
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new StatusError(413, 'RequestEntityTooLarge', 'the request body is too large'));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Parses a request body as JSON, or YAML when the content type says so (server-side apply sends YAML), or the
 * Kubernetes protobuf encoding for the kinds kubectl's create generators send (protobuf.ts).
 */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  if (contentType?.includes('protobuf') === true) return body.length === 0 ? undefined : decodeKubeProtobuf(body, contentType);
  if (contentType?.includes('cbor') === true) {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${contentType}) - the sandbox accepts application/json and application/yaml`);
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    if (contentType?.includes('yaml') === true) return parseYaml(text) as unknown;
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`the body of the request could not be decoded: ${error instanceof Error ? error.message : String(error)}`);
  }
}
