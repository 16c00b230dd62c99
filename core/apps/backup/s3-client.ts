import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { FleetError, NotFoundError } from '../../errors.js';
import { sha256OfFile } from './archive-crypto.js';
import type { StoredObject } from './backup-store.js';
import { EMPTY_SHA256, encodePath, signS3Request, uriEncode } from './s3-signing.js';
import type { S3Credentials } from './s3-signing.js';

export interface S3ClientOptions {
  /** e.g. "https://s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:9000"; requests use path-style URLs. */
  endpoint: string;
  region: string;
  credentials: S3Credentials;
  timeoutMs?: number;
  now?: () => Date;
}

interface Call {
  method: 'GET' | 'PUT' | 'DELETE';
  bucket: string;
  key?: string;
  query?: Record<string, string>;
  bodyFile?: string;
  /** Stream a 200 response body into this file instead of buffering it. */
  responseFile?: string;
}

interface Reply {
  status: number;
  body: Buffer;
}

/** The few S3 operations backups need, signed with SigV4; works with AWS S3 and S3-compatible stores (MinIO). */
export class S3Client {
  private readonly base: URL;

  constructor(private readonly options: S3ClientOptions) {
    this.base = new URL(options.endpoint);
  }

  get endpoint(): string {
    return this.base.origin + this.base.pathname.replace(/\/$/, '');
  }

  /** Printing or serialising the client shows where it points, never its credentials. */
  toJSON(): { endpoint: string; region: string } {
    return { endpoint: this.endpoint, region: this.options.region };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `S3Client(${this.endpoint}, ${this.options.region})`;
  }

  async putObject(bucket: string, key: string, file: string): Promise<void> {
    await this.expectOk(await this.call({ method: 'PUT', bucket, key, bodyFile: file }), bucket, key);
  }

  async getObject(bucket: string, key: string, file: string): Promise<void> {
    await this.expectOk(await this.call({ method: 'GET', bucket, key, responseFile: file }), bucket, key);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const reply = await this.call({ method: 'DELETE', bucket, key });
    if (reply.status === 404) return;
    await this.expectOk(reply, bucket, key);
  }

  /** ListObjectsV2, following continuation tokens. */
  async listObjects(bucket: string, prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix };
      if (token !== undefined) query['continuation-token'] = token;
      const reply = await this.call({ method: 'GET', bucket, query });
      await this.expectOk(reply, bucket, prefix);
      const xml = reply.body.toString('utf8');
      for (const block of xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
        const key = xmlText(block, 'Key');
        const size = Number(xmlText(block, 'Size') ?? '0');
        if (key !== undefined) objects.push({ key, size });
      }
      token = xmlText(xml, 'IsTruncated') === 'true' ? xmlText(xml, 'NextContinuationToken') : undefined;
    } while (token !== undefined);
    return objects;
  }

  private async expectOk(reply: Reply, bucket: string, key: string): Promise<void> {
    if (reply.status >= 200 && reply.status < 300) return;
    const xml = reply.body.toString('utf8');
    const code = xmlText(xml, 'Code') ?? `HTTP ${reply.status}`;
    const message = xmlText(xml, 'Message') ?? '';
    const where = `s3://${bucket}/${key}`;
    if (code === 'NoSuchBucket') {
      throw new NotFoundError('S3 bucket', bucket, `Create the bucket at ${this.endpoint}, or pick another target.`);
    }
    if (reply.status === 404) {
      throw new NotFoundError('backup', where, 'List the group\'s backups with `fleetdeck apps backups GROUP`.');
    }
    if (reply.status === 401 || reply.status === 403) {
      throw new FleetError('UNAUTHORIZED', `${this.endpoint} refused ${where}: ${code}${message ? ` (${message})` : ''}`,
        'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_REGION) for this endpoint, and the bucket policy.',
        { s3Code: code });
    }
    throw new FleetError('EXTERNAL', `${this.endpoint} failed ${where}: ${code}${message ? ` (${message})` : ''}`,
      'Check the object store\'s health and try again.', { s3Code: code, status: reply.status });
  }

  private async call(call: Call): Promise<Reply> {
    const url = new URL(this.base.href);
    const basePath = url.pathname.replace(/\/$/, '');
    url.pathname = `${basePath}/${encodePath(call.bucket)}${call.key === undefined ? '' : `/${encodePath(call.key)}`}`;
    // Spell the query the way it is signed (RFC 3986, %20 for spaces): form encoding's "+" would be read as a literal plus.
    const query = Object.entries(call.query ?? {}).map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join('&');
    url.search = query === '' ? '' : `?${query}`;
    const headers: Record<string, string> = {};
    let payloadHash = EMPTY_SHA256;
    if (call.bodyFile !== undefined) {
      payloadHash = (await sha256OfFile(call.bodyFile)).sha256;
      headers['content-length'] = String((await stat(call.bodyFile)).size);
      headers['content-type'] = 'application/octet-stream';
    } else if (call.method === 'PUT') {
      headers['content-length'] = '0';
    }
    const signed = signS3Request({
      method: call.method, url, headers, payloadHash, region: this.options.region,
      credentials: this.options.credentials, now: this.options.now?.() ?? new Date(),
    });
    try {
      return await this.send(url, call, signed);
    } catch (error) {
      if (call.responseFile !== undefined) await rm(call.responseFile, { force: true });
      if (error instanceof FleetError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new FleetError('UNAVAILABLE', `S3 endpoint ${this.endpoint} is not reachable (${code})`,
        'Check FLEETDECK_S3_ENDPOINT (or AWS_ENDPOINT_URL) and that the object store is up.', { endpoint: this.endpoint });
    }
  }

  private send(url: URL, call: Call, headers: Record<string, string>): Promise<Reply> {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Reply>((resolve, reject) => {
      const req = request(url, { method: call.method, headers }, (res) => {
        void collect(res, call).then(resolve, reject);
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy(new FleetError('TIMEOUT', `S3 endpoint ${this.endpoint} did not answer within ${timeoutMs} ms`,
          'Check the object store and the network, then try again.'));
      });
      req.on('error', reject);
      if (call.bodyFile !== undefined) {
        pipeline(createReadStream(call.bodyFile), req).catch(reject);
      } else {
        req.end();
      }
    });
  }
}

async function collect(res: IncomingMessage, call: Call): Promise<Reply> {
  const status = res.statusCode ?? 0;
  if (call.responseFile !== undefined && status === 200) {
    await pipeline(res, createWriteStream(call.responseFile));
    return { status, body: Buffer.alloc(0) };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status, body: Buffer.concat(chunks) };
}

function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXml(match[1]);
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    switch (entity) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return '\'';
      default:
        return String.fromCodePoint(entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    }
  });
}
