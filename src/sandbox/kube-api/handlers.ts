/** The verbs on one resource: get, list, create, update, patch, delete, deletecollection. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseBody, readBody, sendJson, sendText } from './http-util.js';
import { clone, isObject, type KubeObject } from './json.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { groupVersionOf } from './resources.js';
import type { ResourceRoute } from './routes.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import { badRequest, methodNotAllowed, notFound, StatusError } from './status.js';
import type { ClusterStore, Preconditions } from './store.js';
import { tableFor, wantsTable } from './table.js';
import { serveWatch, type WatchRegistry } from './watch.js';

export interface HandlerContext {
  store: ClusterStore;
  watches: WatchRegistry;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
}

export async function handleResource(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const { req, query } = ctx;
  const method = req.method ?? 'GET';
  const dryRun = query.get('dryRun') === 'All';
  const { type, namespace, name, subresource } = route;
  if (subresource !== undefined && !(subresource === 'status' && type.statusSubresource) && !(subresource === 'log' && type.kind === 'Pod')) {
    throw notFound(`${type.plural}/${subresource}`, type.group, name ?? '');
  }
  if (name === undefined) {
    if (method === 'GET') {
      if (query.get('watch') === 'true' || query.get('watch') === '1') {
        serveWatch(ctx, type, namespace);
        return;
      }
      sendList(ctx, route);
      return;
    }
    if (method === 'POST') {
      const body = parseBody(await readBody(req), req.headers['content-type']);
      sendJson(ctx.res, 201, ctx.store.create(type, namespace, body, { dryRun }));
      return;
    }
    if (method === 'DELETE') {
      const items = selected(ctx, route).map((obj) => ctx.store.delete(type, obj.metadata.namespace, obj.metadata.name ?? '', { dryRun }));
      sendJson(ctx.res, 200, listBody(route, items, String(ctx.store.resourceVersion)));
      return;
    }
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  switch (method) {
    case 'GET':
      if (subresource === 'log') {
        sendText(ctx.res, 200, podLog(ctx.store.get(type, namespace, name)));
        return;
      }
      sendObject(ctx, route, ctx.store.get(type, namespace, name));
      return;
    case 'PUT': {
      const body = parseBody(await readBody(req), req.headers['content-type']);
      sendJson(ctx.res, 200, ctx.store.update(type, namespace, name, body, { dryRun, ...(subresource === 'status' ? { subresource } : {}) }));
      return;
    }
    case 'PATCH': {
      const contentType = req.headers['content-type'] ?? '';
      const patch = parseBody(await readBody(req), contentType);
      const existing = ctx.store.find(type, namespace, name);
      if (contentType.startsWith('application/apply-patch')) {
        if (!isObject(patch)) throw badRequest('an apply patch must be an object');
        if (existing === undefined) {
          sendJson(ctx.res, 201, ctx.store.create(type, namespace, { ...patch, metadata: { ...(isObject(patch['metadata']) ? patch['metadata'] : {}), name } }, { dryRun }));
          return;
        }
        const applied = clone(patch);
        if (isObject(applied['metadata'])) delete applied['metadata']['resourceVersion'];
        const merged = strategicMergePatch(existing, applied);
        sendJson(ctx.res, 200, ctx.store.update(type, namespace, name, merged, { dryRun, ...(subresource === 'status' ? { subresource } : {}) }));
        return;
      }
      if (existing === undefined) throw notFound(type.plural, type.group, name);
      let patched: unknown;
      if (contentType.startsWith('application/json-patch+json')) patched = jsonPatch(existing, patch);
      else if (contentType.startsWith('application/merge-patch+json')) patched = mergePatch(existing, patch);
      else if (contentType.startsWith('application/strategic-merge-patch+json')) patched = strategicMergePatch(existing, patch);
      else throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
      sendJson(ctx.res, 200, ctx.store.update(type, namespace, name, patched, { dryRun, ...(subresource === 'status' ? { subresource } : {}) }));
      return;
    }
    case 'DELETE': {
      const deleted = ctx.store.delete(type, namespace, name, { dryRun, preconditions: preconditionsOf(parseBody(await readBody(req), req.headers['content-type'])) });
      sendJson(ctx.res, 200, deleted);
      return;
    }
    default:
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

/** DeleteOptions.preconditions from a DELETE body; empty strings mean "no precondition", as in the apiserver. */
function preconditionsOf(body: unknown): Preconditions {
  const given = isObject(body) && isObject(body['preconditions']) ? body['preconditions'] : {};
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const uid = text(given['uid']);
  const resourceVersion = text(given['resourceVersion']);
  return { ...(uid === undefined ? {} : { uid }), ...(resourceVersion === undefined ? {} : { resourceVersion }) };
}

function selected(ctx: HandlerContext, route: ResourceRoute): KubeObject[] {
  const byLabel = labelMatcher(ctx.query.get('labelSelector'));
  const byField = fieldMatcher(ctx.query.get('fieldSelector'), route.type);
  return ctx.store.list(route.type, route.namespace).filter((o) => byLabel(o) && byField(o));
}

function listBody(route: ResourceRoute, items: KubeObject[], resourceVersion: string, cont?: string): Record<string, unknown> {
  return {
    kind: route.type.listKind,
    apiVersion: groupVersionOf(route.type),
    metadata: { resourceVersion, ...(cont === undefined ? {} : { continue: cont }) },
    items,
  };
}

/** Lists honour `limit` and `continue` (an opaque offset), so kubectl's chunked lists work. */
function sendList(ctx: HandlerContext, route: ResourceRoute): void {
  const all = selected(ctx, route);
  const rv = String(ctx.store.resourceVersion);
  const limit = Number(ctx.query.get('limit') ?? '0');
  const token = ctx.query.get('continue');
  let start = 0;
  if (token !== null && token !== '') {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw badRequest('continue key is not valid');
    start = decoded;
  }
  const end = limit > 0 ? start + limit : all.length;
  const items = all.slice(start, end);
  const cont = end < all.length ? Buffer.from(String(end)).toString('base64url') : undefined;
  if (wantsTable(ctx.req)) {
    sendJson(ctx.res, 200, tableFor(route.type, items, rv, cont, ctx.query.get('includeObject') === 'Object'));
    return;
  }
  sendJson(ctx.res, 200, listBody(route, items, rv, cont));
}

function sendObject(ctx: HandlerContext, route: ResourceRoute, obj: KubeObject): void {
  if (wantsTable(ctx.req)) sendJson(ctx.res, 200, tableFor(route.type, [obj], obj.metadata.resourceVersion ?? '', undefined, ctx.query.get('includeObject') === 'Object'));
  else sendJson(ctx.res, 200, obj);
}

export const LOG_ANNOTATION = 'sandbox.fleetdeck.io/log';

function podLog(pod: KubeObject): string {
  const custom = pod.metadata.annotations?.[LOG_ANNOTATION];
  if (custom !== undefined) return custom.endsWith('\n') ? custom : `${custom}\n`;
  const phase = String((pod['status'] as { phase?: string } | undefined)?.phase ?? 'Pending');
  const lines = [`sandbox: pod ${pod.metadata.name ?? ''} started`];
  if (phase === 'Succeeded') lines.push('sandbox: completed successfully');
  if (phase === 'Failed' || JSON.stringify(pod['status'] ?? {}).includes('CrashLoopBackOff')) lines.push('sandbox: error: injected failure (sandbox.fleetdeck.io/fail)');
  return `${lines.join('\n')}\n`;
}
