/**
 * The loopback HTTP hooks the sample DR plans call (core/dr/examples): POST /hooks/dr/... answers 200,
 * GET /dr/verify-promotion answers 503 (the switchover-db plan fails there and is then reverted).
 * Every hit is counted by path, so tests and the sandbox can show what ran.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const DR_HOOKS_PORT = 18080;

export interface HooksServer {
  readonly port: number;
  readonly url: string;
  /** Hits per path, e.g. `POST /hooks/dr/start`. */
  readonly hits: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export async function startDrHooksServer(options: { port?: number; host?: string } = {}): Promise<HooksServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const key = `${req.method ?? 'GET'} ${path}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (path === '/dr/verify-promotion') {
        res.statusCode = 503;
        res.end('{"promoted":false,"reason":"the DR database is still a replica (sandbox)"}');
      } else if (path.startsWith('/hooks/dr')) {
        res.statusCode = 200;
        res.end('{"ok":true}');
      } else {
        res.statusCode = 404;
        res.end('{"error":"not found"}');
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DR_HOOKS_PORT, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port, url: `http://127.0.0.1:${port}`, hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
