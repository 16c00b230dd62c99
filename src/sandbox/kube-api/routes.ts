/** Turns a request path into the resource it addresses. */
import type { ResourceRegistry, ResourceType } from './resources.js';

export interface ResourceRoute {
  type: ResourceType;
  namespace: string | undefined; // undefined: cluster scoped, or all namespaces for a list
  name: string | undefined;
  subresource: string | undefined;
}

export type Route =
  | { kind: 'resource'; route: ResourceRoute }
  | { kind: 'unknown-resource'; group: string; version: string; plural: string }
  | { kind: 'resource-list'; group: string; version: string }
  | { kind: 'api-versions' }
  | { kind: 'group-list' }
  | { kind: 'group'; group: string }
  | { kind: 'other'; path: string };

export function routeFor(pathname: string, registry: ResourceRegistry): Route {
  const segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  if (segments[0] === 'api') {
    if (segments.length === 1) return { kind: 'api-versions' };
    return resourceRoute('', segments[1] ?? '', segments.slice(2), registry);
  }
  if (segments[0] === 'apis') {
    if (segments.length === 1) return { kind: 'group-list' };
    if (segments.length === 2) return { kind: 'group', group: segments[1] ?? '' };
    return resourceRoute(segments[1] ?? '', segments[2] ?? '', segments.slice(3), registry);
  }
  return { kind: 'other', path: `/${segments.join('/')}` };
}

function resourceRoute(group: string, version: string, rest: string[], registry: ResourceRegistry): Route {
  if (rest.length === 0) return { kind: 'resource-list', group, version };
  const [first, second, third, fourth, fifth] = rest;
  if (first === 'namespaces' && second !== undefined && third !== undefined) {
    const nsType = registry.byPlural(group, version, third);
    if (nsType !== undefined && nsType.namespaced) {
      return { kind: 'resource', route: { type: nsType, namespace: second, name: fourth, subresource: fifth } };
    }
    if (third !== 'status' && third !== 'finalize') return { kind: 'unknown-resource', group, version, plural: third };
  }
  const type = registry.byPlural(group, version, first ?? '');
  if (type === undefined) return { kind: 'unknown-resource', group, version, plural: first ?? '' };
  return { kind: 'resource', route: { type, namespace: undefined, name: second, subresource: third } };
}
