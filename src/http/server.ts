import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataplaneService } from '../../core/dataplane/index.js';
import { asFleetError } from '../../core/errors.js';
import { sendError, sendJson } from './json-io.js';
import { lensRoutes, matchRoute } from './lens-routes.js';

export interface HttpApiOptions {
  dataplane: DataplaneService;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface HttpApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `fleetdeck serve`: the HTTP API over node:http, calling the same services as the CLI. */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const routes = lensRoutes(options.dataplane);
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://fleetdeck');
        if (req.method === 'GET' && url.pathname === '/healthz') {
          sendJson(res, 200, { ok: true });
          return;
        }
        const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
        if ('status' in match) {
          sendJson(res, match.status, match.body);
          return;
        }
        req.resume();
        const result = await match.handler(match.params);
        sendJson(res, result.status, result.body);
      } catch (error) {
        if (!res.headersSent) sendError(res, asFleetError(error));
        else res.end();
      }
    })();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
