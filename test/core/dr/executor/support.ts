/** Helpers for DR executor tests: a loopback hook server counting hits, and plans built from HTTP actions. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { Action } from '../../../../core/dr/schema/types.js';

export interface HookServer {
  url: string;
  hits: Map<string, number>;
  /** Paths in arrival order. */
  order: string[];
  /** Status to answer per path (default 200). */
  status: Map<string, number>;
  /** Delay per path in ms. */
  delay: Map<string, number>;
  close(): Promise<void>;
}

export async function startHookServer(): Promise<HookServer> {
  const hits = new Map<string, number>();
  const order: string[] = [];
  const status = new Map<string, number>();
  const delay = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    order.push(path);
    req.resume();
    setTimeout(() => { res.statusCode = status.get(path) ?? 200; res.end(`{"path":"${path}"}`); }, delay.get(path) ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, order, status, delay,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export function httpAction(name: string, url: string, extra: Partial<Action> = {}): Action {
  return { name, type: 'HTTP', http: { url: `${url}/${name}`, method: 'POST' }, ...extra };
}

/** A one-stage plan and its workflow as YAML. */
export function planYaml(name: string, actions: Action[], failurePolicy: 'FailFast' | 'Continue' = 'FailFast'): string {
  const workflow = { apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRWorkflow', metadata: { name, namespace: 'default' }, spec: { failurePolicy, actions } };
  const plan = { apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRPlan', metadata: { name, namespace: 'default' }, spec: { stages: [{ name: 'main', workflows: [{ workflowRef: { name } }] }] } };
  return `${stringify(workflow)}---\n${stringify(plan)}`;
}
