/** The HTTP face of one sandbox cluster: discovery, OpenAPI, and the resource verbs. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { apiGroupBody, apiGroupListBody, apiVersionsBody, resourceListBody, SERVER_VERSION } from './discovery.js';
import { handleResource } from './handlers.js';
import { sendJson, sendStatusError, sendText } from './http-util.js';
import { OPENAPI_V2_PROTOBUF, gvFromOpenApiPath, openApiV2Document, openApiV3Document, openApiV3Root } from './openapi.js';
import { routeFor } from './routes.js';
import { StatusError } from './status.js';
import type { ClusterStore } from './store.js';
import { WatchRegistry } from './watch.js';

export type TokenRole = 'admin' | 'readonly';

export interface ServerBehaviour {
  /** When set, requests need `Authorization: Bearer <token>`; readonly tokens may only read. */
  tokens?: Record<string, TokenRole>;
  /** Delay before every answer, to simulate a slow cluster. */
  latencyMs?: number;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function authorize(req: IncomingMessage, behaviour: ServerBehaviour, resource: string, namespace: string | undefined, group: string): void {
  if (behaviour.tokens === undefined) return;
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : undefined;
  const role = token === undefined ? undefined : behaviour.tokens[token];
  if (role === undefined) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  if (role === 'readonly' && !READ_METHODS.has(req.method ?? 'GET')) {
    const verb = (req.method ?? '').toLowerCase() === 'post' ? 'create' : (req.method ?? '').toLowerCase();
    const where = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
    throw new StatusError(403, 'Forbidden', `${resource} is forbidden: User "sandbox:readonly" cannot ${verb} resource "${resource}" in API group "${group}" ${where}`, { kind: resource, group });
  }
}

async function dispatch(req: IncomingMessage, res: ServerResponse, store: ClusterStore, watches: WatchRegistry, behaviour: ServerBehaviour): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const route = routeFor(url.pathname, store.registry);
  if (route.kind === 'other' && ['/healthz', '/readyz', '/livez'].includes(route.path)) {
    sendText(res, 200, 'ok');
    return;
  }
  authorize(req, behaviour, route.kind === 'resource' ? route.route.type.plural : '', route.kind === 'resource' ? route.route.namespace : undefined, route.kind === 'resource' ? route.route.type.group : '');
  switch (route.kind) {
    case 'api-versions':
      sendJson(res, 200, apiVersionsBody(req.headers.host ?? '127.0.0.1'));
      return;
    case 'group-list':
      sendJson(res, 200, apiGroupListBody(store.registry));
      return;
    case 'group': {
      const body = apiGroupBody(store.registry, route.group);
      if (body === undefined) throw notFoundPage();
      sendJson(res, 200, body);
      return;
    }
    case 'resource-list': {
      const body = resourceListBody(store.registry, route.group === '' ? route.version : `${route.group}/${route.version}`);
      if (body === undefined) throw notFoundPage();
      sendJson(res, 200, body);
      return;
    }
    case 'unknown-resource':
      throw notFoundPage();
    case 'resource':
      await handleResource({ store, watches, req, res, query: url.searchParams }, route.route);
      return;
    case 'other':
      break;
  }
  if (route.path === '/version') return sendJson(res, 200, SERVER_VERSION);
  if (route.path === '/openapi/v3') return sendJson(res, 200, openApiV3Root(store.registry));
  if (route.path.startsWith('/openapi/v3/')) {
    const gv = gvFromOpenApiPath(route.path.slice('/openapi/v3/'.length));
    const doc = gv === undefined ? undefined : openApiV3Document(store.registry, gv);
    if (doc === undefined) throw notFoundPage();
    return sendJson(res, 200, doc);
  }
  if (route.path === '/openapi/v2') {
    if ((req.headers.accept ?? '').includes('protobuf')) {
      res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': OPENAPI_V2_PROTOBUF.length });
      res.end(OPENAPI_V2_PROTOBUF);
      return;
    }
    return sendJson(res, 200, openApiV2Document(store.registry));
  }
  throw notFoundPage();
}

function notFoundPage(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function createKubeApiServer(store: ClusterStore, behaviour: ServerBehaviour = {}): { server: Server; watches: WatchRegistry } {
  const watches = new WatchRegistry();
  const server = createServer((req, res) => {
    const run = (): void => {
      dispatch(req, res, store, watches, behaviour).catch((error: unknown) => {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (error instanceof StatusError) sendStatusError(res, error);
        else sendStatusError(res, new StatusError(500, 'InternalError', `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`));
      });
    };
    const latency = behaviour.latencyMs ?? 0;
    if (latency > 0) setTimeout(run, latency).unref();
    else run();
  });
  server.keepAliveTimeout = 5_000;
  return { server, watches };
}
