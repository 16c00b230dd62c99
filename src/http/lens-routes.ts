import type { DataplaneService } from '../../core/dataplane/index.js';
import { FleetError } from '../../core/errors.js';

export interface RouteResult {
  status: number;
  body: unknown;
}

type Handler = (params: Record<string, string>) => Promise<RouteResult>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

function route(method: string, path: string, handler: Handler): Route {
  const keys: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:([a-z_]+)/g, (_, key: string) => {
    keys.push(key);
    return '([^/]+)';
  })}/?$`);
  return { method, pattern, keys, handler };
}

/** The seed's release routes, plus read-only views of the installs. */
export function lensRoutes(service: DataplaneService): Route[] {
  const triggered = (r: { historyId: number; taskId: number; cluster: string; storageMode: string }): RouteResult => ({
    status: 202, body: { history_id: r.historyId, task_id: r.taskId, cluster_name: r.cluster, storage_mode: r.storageMode },
  });
  return [
    route('POST', '/lens/v1/release/clusters/:cluster_name/deploy', async (p) => triggered(await service.trigger(p['cluster_name']!))),
    route('POST', '/lens/v1/release/clusters/:cluster_name/retry', async (p) => triggered(await service.retry(p['cluster_name']!))),
    route('GET', '/lens/v1/release/clusters', async () => ({ status: 200, body: { clusters: await service.list() } })),
    route('GET', '/lens/v1/release/clusters/:cluster_name', async (p) => ({ status: 200, body: await service.show(p['cluster_name']!) })),
  ];
}

export interface Match {
  handler: Handler;
  params: Record<string, string>;
}

/** The matching route, or a 404/405 FleetError-like answer. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): Match | RouteResult {
  const onPath = routes.filter((r) => r.pattern.test(pathname));
  if (onPath.length === 0) return { status: 404, body: { error: { code: 'NOT_FOUND', message: `no route ${pathname}`, hint: 'See the API routes in the fleetdeck README.' } } };
  const found = onPath.find((r) => r.method === method);
  if (!found) {
    return { status: 405, body: { error: { code: 'VALIDATION', message: `${method} is not allowed on ${pathname}`, hint: `Use ${onPath.map((r) => r.method).join(' or ')}.` } } };
  }
  const values = found.pattern.exec(pathname)!.slice(1);
  let params: Record<string, string>;
  try {
    params = Object.fromEntries(found.keys.map((key, i) => [key, decodeURIComponent(values[i]!)]));
  } catch {
    throw new FleetError('VALIDATION', `the path ${pathname} is not valid URL encoding`, 'Percent-encode the cluster name.');
  }
  return { handler: found.handler, params };
}
