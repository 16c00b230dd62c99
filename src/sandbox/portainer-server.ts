/**
 * A loopback HTTP server that behaves like Portainer 2.x for what fleetdeck uses: `POST /api/auth`,
 * `GET /api/endpoints`, `POST /api/endpoints` (multipart or urlencoded form), `PUT /api/endpoints/:id` (JSON),
 * `DELETE /api/endpoints/:id`.
 * Auth by `X-API-Key` or a JWT from /api/auth. Reusable by the sandbox world and other tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface FakePortainerEndpoint {
  Id: number;
  Name: string;
  Type: number;
  URL: string;
  PublicURL: string;
  GroupId: number;
  Status: number;
  EdgeKey: string;
  EdgeID: string;
  TagIds: number[];
}

export interface PortainerServerOptions {
  apiKey?: string;
  username?: string;
  password?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Keeps the environments in this file across restarts (the sandbox world). */
  stateFile?: string;
}

export interface PortainerServer {
  url: string;
  endpoints: Map<number, FakePortainerEndpoint>;
  /** method + path of every request. */
  requests: string[];
  /** The next n requests (after auth) answer with this status. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startPortainerServer(opts: PortainerServerOptions = {}): Promise<PortainerServer> {
  const endpoints = new Map<number, FakePortainerEndpoint>();
  // Portainer starts with its local Docker environment; it is not an Edge environment.
  endpoints.set(1, { Id: 1, Name: 'local', Type: 1, URL: 'unix:///var/run/docker.sock', PublicURL: '', GroupId: 1, Status: 1, EdgeKey: '', EdgeID: '', TagIds: [] });
  if (opts.stateFile && existsSync(opts.stateFile)) {
    endpoints.clear();
    for (const endpoint of JSON.parse(readFileSync(opts.stateFile, 'utf8')) as FakePortainerEndpoint[]) endpoints.set(endpoint.Id, endpoint);
  }
  const persist = (): void => {
    if (!opts.stateFile) return;
    writeFileSync(`${opts.stateFile}.tmp`, JSON.stringify([...endpoints.values()]));
    renameSync(`${opts.stateFile}.tmp`, opts.stateFile);
  };
  const jwts = new Set<string>();
  const requests: string[] = [];
  let nextId = Math.max(1, ...endpoints.keys()) + 1;
  let failures: { status: number; left: number } | null = null;
  let baseUrl = '';

  const send = (res: ServerResponse, status: number, body?: unknown): void => {
    res.statusCode = status;
    if (body === undefined) {
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };

  const authorised = (req: IncomingMessage): boolean => {
    if (opts.apiKey && req.headers['x-api-key'] === opts.apiKey) return true;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return bearer !== undefined && jwts.has(bearer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(`${req.method} ${path}`);

    if (req.method === 'POST' && path === '/api/auth') {
      const creds = JSON.parse(body.toString() || '{}') as { Username?: string; Password?: string };
      if (opts.username && creds.Username === opts.username && creds.Password === opts.password) {
        const jwt = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(12).toString('hex')}.${randomBytes(12).toString('hex')}`;
        jwts.add(jwt);
        return send(res, 200, { jwt });
      }
      return send(res, 422, { message: 'Invalid credentials', details: 'Unauthorized' });
    }
    if (!authorised(req)) return send(res, 401, { message: 'Unauthorized', details: 'A valid authorisation token is missing' });
    if (failures && failures.left > 0) {
      failures.left--;
      return send(res, failures.status, { message: 'Service unavailable', details: 'injected failure' });
    }

    if (req.method === 'GET' && path === '/api/endpoints') return send(res, 200, [...endpoints.values()]);
    if (req.method === 'POST' && path === '/api/endpoints') {
      const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const name = String(form.get('Name') ?? '');
      const creationType = Number(form.get('EndpointCreationType'));
      if (!name) return send(res, 400, { message: 'Invalid request payload', details: 'Invalid environment name' });
      if (![1, 2, 3, 4, 5].includes(creationType)) return send(res, 400, { message: 'Invalid request payload', details: 'Invalid environment type value' });
      if ([...endpoints.values()].some((e) => e.Name === name)) return send(res, 409, { message: 'Name is not unique', details: 'Name is not unique' });
      const id = nextId++;
      const endpoint: FakePortainerEndpoint = {
        Id: id,
        Name: name,
        Type: creationType === 4 ? 4 : creationType,
        URL: String(form.get('URL') ?? ''),
        PublicURL: String(form.get('PublicURL') ?? ''),
        GroupId: Number(form.get('GroupID') ?? 1),
        Status: 1,
        EdgeKey: Buffer.from(`${baseUrl}|${baseUrl.replace(/:\d+$/, '')}:8000|fingerprint|${id}`).toString('base64'),
        EdgeID: '',
        TagIds: [],
      };
      endpoints.set(id, endpoint);
      persist();
      return send(res, 200, endpoint);
    }
    const one = /^\/api\/endpoints\/(\d+)$/.exec(path);
    if (req.method === 'PUT' && one) {
      const endpoint = endpoints.get(Number(one[1]));
      if (!endpoint) return send(res, 404, { message: 'Unable to find an environment with the specified identifier inside the database', details: 'Object not found inside the database' });
      const update = JSON.parse(body.toString() || '{}') as { PublicURL?: unknown; Name?: unknown; GroupID?: unknown };
      if (typeof update.PublicURL === 'string') endpoint.PublicURL = update.PublicURL;
      if (typeof update.Name === 'string' && update.Name !== '') endpoint.Name = update.Name;
      if (typeof update.GroupID === 'number') endpoint.GroupId = update.GroupID;
      persist();
      return send(res, 200, endpoint);
    }
    const del = one;
    if (req.method === 'DELETE' && del) {
      const id = Number(del[1]);
      if (!endpoints.delete(id)) return send(res, 404, { message: 'Unable to find an environment with the specified identifier inside the database', details: 'Object not found inside the database' });
      persist();
      return send(res, 204);
    }
    return send(res, 404, { message: 'Not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    endpoints,
    requests,
    failNext(status, times = 1) {
      failures = { status, left: times };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
