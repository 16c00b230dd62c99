import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback S3-compatible server for tests: in-memory buckets, path-style PUT/GET/DELETE object and
 * ListObjectsV2, and SigV4 verification of every request against one known access key. Bad or missing signatures
 * get the same 403 XML errors S3 sends. Written independently of core/apps/backup/s3-signing.ts on purpose.
 */
export interface StoredS3Object {
  body: Buffer;
  lastModified: Date;
}

export interface S3RequestLog {
  method: string;
  path: string;
  status: number;
}

export interface S3TestServer {
  /** e.g. http://127.0.0.1:PORT, for FLEETDECK_S3_ENDPOINT */
  url: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: Map<string, Map<string, StoredS3Object>>;
  requests: S3RequestLog[];
  createBucket(name: string): void;
  stop(): Promise<void>;
}

export interface S3ServerOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  /** Page size of ListObjectsV2 when the client asks for more (to exercise continuation tokens). */
  maxKeys?: number;
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const accessKeyId = options.accessKeyId ?? 'FLEETDECKTESTACCESS';
  const secretAccessKey = options.secretAccessKey ?? 'fleetdeck/test+Secret/Key0123456789abcdef';
  const region = options.region ?? 'us-east-1';
  const pageSize = options.maxKeys ?? 1000;
  const buckets = new Map<string, Map<string, StoredS3Object>>();
  const requests: S3RequestLog[] = [];

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const status = handle(req, res, body);
      requests.push({ method: req.method ?? '', path: req.url ?? '', status });
    }).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): number {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    const authError = verifySignature(req, rawPath, rawQuery, body);
    if (authError) return sendError(res, 403, authError.code, authError.message, rawPath);

    const segments = rawPath.split('/').slice(1);
    const bucketName = decodeURIComponent(segments[0] ?? '');
    const key = segments.slice(1).map((s) => decodeURIComponent(s)).join('/');
    const bucket = buckets.get(bucketName);
    if (!bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', rawPath);
    const query = new URLSearchParams(rawQuery);

    if (req.method === 'GET' && key === '' && query.get('list-type') === '2') {
      return listObjects(res, bucketName, bucket, query);
    }
    if (key === '') return sendError(res, 400, 'InvalidRequest', 'Only ListObjectsV2 is supported on buckets', rawPath);
    if (req.method === 'PUT') {
      bucket.set(key, { body, lastModified: new Date() });
      res.setHeader('ETag', `"${createHash('md5').update(body).digest('hex')}"`);
      res.statusCode = 200;
      res.end();
      return 200;
    }
    if (req.method === 'GET') {
      const object = bucket.get(key);
      if (!object) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', rawPath);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', object.body.length);
      res.statusCode = 200;
      res.end(object.body);
      return 200;
    }
    if (req.method === 'DELETE') {
      bucket.delete(key);
      res.statusCode = 204;
      res.end();
      return 204;
    }
    return sendError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', rawPath);
  }

  function listObjects(res: ServerResponse, name: string, bucket: Map<string, StoredS3Object>, query: URLSearchParams): number {
    const prefix = query.get('prefix') ?? '';
    const asked = Number(query.get('max-keys') ?? '1000');
    const limit = Math.min(asked, pageSize);
    const after = query.has('continuation-token') ? Buffer.from(query.get('continuation-token') ?? '', 'base64url').toString('utf8') : '';
    const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, limit);
    const truncated = keys.length > page.length;
    const contents = page.map((k) => {
      const object = bucket.get(k);
      return `<Contents><Key>${xml(k)}</Key><LastModified>${object?.lastModified.toISOString() ?? ''}</LastModified>`
        + `<ETag>&quot;${createHash('md5').update(object?.body ?? Buffer.alloc(0)).digest('hex')}&quot;</ETag>`
        + `<Size>${object?.body.length ?? 0}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    }).join('');
    const last = page[page.length - 1];
    const next = truncated && last !== undefined ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '';
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
      + `<Name>${xml(name)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${limit}</MaxKeys>`
      + `<IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
    res.setHeader('Content-Type', 'application/xml');
    res.statusCode = 200;
    res.end(body);
    return 200;
  }

  function verifySignature(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): { code: string; message: string } | null {
    const auth = req.headers.authorization;
    if (!auth) return { code: 'AccessDenied', message: 'Access Denied' };
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!match) return { code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
    const [, keyId, day, scopeRegion, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string];
    if (keyId !== accessKeyId) return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
    if (scopeRegion !== region) return { code: 'AuthorizationHeaderMalformed', message: `the region '${scopeRegion}' is wrong; expecting '${region}'` };
    const amzDate = header(req, 'x-amz-date');
    const payloadHash = header(req, 'x-amz-content-sha256');
    if (!amzDate.startsWith(day) || payloadHash === '') return { code: 'AccessDenied', message: 'x-amz-date or x-amz-content-sha256 missing' };
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(body).digest('hex')) {
      return { code: 'XAmzContentSHA256Mismatch', message: 'The provided \'x-amz-content-sha256\' header does not match what was computed.' };
    }
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) return { code: 'AccessDenied', message: 'host must be signed' };
    const canonicalHeaders = signedHeaders.map((h) => `${h}:${header(req, h).trim().replace(/\s+/g, ' ')}\n`).join('');
    const canonicalQuery = rawQuery === '' ? '' : rawQuery.split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const k = eq === -1 ? pair : pair.slice(0, eq);
        const v = eq === -1 ? '' : pair.slice(eq + 1);
        return `${strictEncode(decodeURIComponent(k))}=${strictEncode(decodeURIComponent(v))}`;
      })
      .sort()
      .join('&');
    const canonicalRequest = `${req.method}\n${rawPath}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaderList}\n${payloadHash}`;
    const scope = `${day}/${region}/s3/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    let signingKey: Buffer = Buffer.from(`AWS4${secretAccessKey}`);
    for (const part of [day, region, 's3', 'aws4_request']) signingKey = createHmac('sha256', signingKey).update(part).digest();
    const expected = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
    if (expected !== signature) {
      return { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
    }
    return null;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    accessKeyId,
    secretAccessKey,
    buckets,
    requests,
    createBucket: (name) => {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value ?? '';
}

/** Percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ (byte-wise, unlike encodeURIComponent). */
function strictEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function sendError(res: ServerResponse, status: number, code: string, message: string, resource: string): number {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/xml');
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message>`
    + `<Resource>${xml(resource)}</Resource><RequestId>${randomUUID()}</RequestId></Error>`);
  return status;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
