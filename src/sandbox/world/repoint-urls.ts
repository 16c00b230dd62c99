/**
 * When a sandbox cluster moves to another port, every object that recorded its old URL (ArgoCD cluster Secrets,
 * Primus-SaFE Cluster endpoints, anything else seeded with it) is rewritten, as an operator would re-register it.
 * Secret data is base64: it is decoded, rewritten and encoded again.
 */
import { isObject, type KubeObject } from '../kube-api/json.js';
import type { ClusterStore } from '../kube-api/store.js';

export interface UrlChange {
  from: string;
  to: string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces whole URLs only: `http://127.0.0.1:4123` must not touch `http://127.0.0.1:41234`. */
function rewriter(changes: readonly UrlChange[]): (text: string) => string {
  const patterns = changes.map((c) => [new RegExp(`${escape(c.from)}(?![0-9])`, 'g'), c.to] as const);
  return (text) => patterns.reduce((out, [pattern, to]) => out.replace(pattern, to), text);
}

function rewriteValue(value: unknown, rewrite: (text: string) => string): unknown {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((v) => rewriteValue(v, rewrite));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteValue(v, rewrite)]));
}

function rewriteObject(obj: KubeObject, rewrite: (text: string) => string): KubeObject {
  const out = rewriteValue(obj, rewrite) as KubeObject;
  if (obj.kind === 'Secret' && isObject(obj['data'])) {
    out['data'] = Object.fromEntries(Object.entries(obj['data']).map(([k, v]) =>
      [k, typeof v === 'string' ? Buffer.from(rewrite(Buffer.from(v, 'base64').toString('utf8'))).toString('base64') : v]));
  }
  return out;
}

/** Rewrites the objects of one cluster; returns how many changed. */
export function repointUrls(store: ClusterStore, changes: readonly UrlChange[]): number {
  if (changes.length === 0) return 0;
  const rewrite = rewriter(changes);
  let changed = 0;
  for (const type of store.registry.all()) {
    for (const obj of store.list(type, undefined)) {
      const text = JSON.stringify(obj);
      if (obj.kind !== 'Secret' && !changes.some((c) => text.includes(c.from))) continue;
      const next = rewriteObject(obj, rewrite);
      if (JSON.stringify(next) === text) continue;
      const { namespace, name = '' } = obj.metadata;
      const body = { ...next, metadata: { ...next.metadata } };
      delete body.metadata.resourceVersion;
      store.update(type, namespace, name, body);
      if (type.statusSubresource && next['status'] !== undefined) {
        const current = store.get(type, namespace, name);
        store.update(type, namespace, name, { ...current, status: next['status'] }, { subresource: 'status' });
      }
      changed += 1;
    }
  }
  return changed;
}
