/**
 * Watches: a chunked stream of `{"type":…,"object":…}` lines. Without a resourceVersion (or "0") the current
 * objects come first as ADDED; with one, the changes after it are replayed; one that has left the history window
 * gets an ERROR event with a 410 Expired Status, as from a real apiserver.
 */
import type { ServerResponse } from 'node:http';
import type { HandlerContext } from './handlers.js';
import type { KubeObject } from './json.js';
import { groupVersionOf, storageKey, type ResourceType } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';
import { gone } from './status.js';
import type { StoreEvent } from './store.js';
import { tableFor, wantsTable } from './table.js';

/** Open watch streams of one cluster, so stopping the cluster can end them. */
export class WatchRegistry {
  private readonly open = new Set<ServerResponse>();

  add(res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
  }

  closeAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }

  get size(): number {
    return this.open.size;
  }
}

export function serveWatch(ctx: HandlerContext, type: ResourceType, namespace: string | undefined): void {
  const { res, query, store } = ctx;
  const byLabel = labelMatcher(query.get('labelSelector'));
  const byField = fieldMatcher(query.get('fieldSelector'), type);
  const key = storageKey(type);
  const gv = groupVersionOf(type);
  const asTable = wantsTable(ctx.req);
  const includeObject = query.get('includeObject') === 'Object';
  const rvParam = query.get('resourceVersion');

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  ctx.watches.add(res);

  const write = (type_: string, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type: type_, object })}\n`);
  };
  const emit = (eventType: string, obj: KubeObject): void => {
    const served = obj.apiVersion === gv ? obj : { ...obj, apiVersion: gv };
    write(eventType, asTable ? tableFor(type, [served], served.metadata.resourceVersion ?? '', undefined, includeObject) : served);
  };
  const matches = (obj: KubeObject): boolean => (namespace === undefined || obj.metadata.namespace === namespace) && byLabel(obj) && byField(obj);
  /** Like the apiserver: an object modified into the selected set is ADDED, out of it DELETED. */
  const deliver = (event: StoreEvent): void => {
    if (event.resource !== key) return;
    const now = matches(event.object);
    const before = event.previous === undefined ? now : matches(event.previous);
    if (event.type !== 'MODIFIED') {
      if (now) emit(event.type, event.object);
    } else if (now) {
      emit(before ? 'MODIFIED' : 'ADDED', event.object);
    } else if (before) {
      emit('DELETED', event.object);
    }
  };

  if (rvParam === null || rvParam === '' || rvParam === '0') {
    for (const obj of store.list(type, namespace)) if (byLabel(obj) && byField(obj)) emit('ADDED', obj);
  } else {
    const since = store.eventsSince(Number(rvParam));
    if (since === undefined || !Number.isFinite(Number(rvParam))) {
      write('ERROR', gone(`too old resource version: ${rvParam} (${store.resourceVersion})`).toStatus());
      res.end();
      return;
    }
    for (const event of since) deliver(event);
  }

  const unsubscribe = store.subscribe(deliver);
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
  const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
  res.on('close', () => {
    unsubscribe();
    if (timer !== undefined) clearTimeout(timer);
  });
}
