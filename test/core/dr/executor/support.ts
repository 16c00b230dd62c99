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
  /** Paths that answer with the request's headers and body. */
  echo: Set<string>;
  /** Every request received. */
  bodies: { path: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export async function startHookServer(): Promise<HookServer> {
  const hits = new Map<string, number>();
  const order: string[] = [];
  const status = new Map<string, number>();
  const delay = new Map<string, number>();
  const bodies: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    order.push(path);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push({ path, headers: req.headers, body });
      // Status, delay and echo are chosen by the path without its query.
      const bare = path.split('?')[0] ?? path;
      // Echoes what it got, as a careless webhook might: the recorded response must not carry secrets.
      setTimeout(() => { res.statusCode = status.get(bare) ?? 200; res.end(echo.has(bare) ? JSON.stringify({ path, headers: req.headers, body }) : `{"path":"${path}"}`); }, delay.get(bare) ?? 0);
    });
  });
  const echo = new Set<string>();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, order, status, delay, echo, bodies,
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

/** The key DR tests seal secrets with. */
export const TEST_SECRET_KEY = 'ab'.repeat(32);

/** A workflow and a plan whose stage(s) reference workflows with parameters, as YAML. */
export function stagedPlanYaml(name: string, workflows: { name: string; parameters?: { name: string; default?: string }[]; actions: Action[] }[],
  stages: { name: string; parallel?: boolean; dependsOn?: string[]; workflows: { name: string; params?: Record<string, string> }[] }[],
  planSpec: Record<string, unknown> = {}): string {
  const docs = workflows.map((w) => ({ apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRWorkflow', metadata: { name: w.name, namespace: 'default' }, spec: { ...(w.parameters ? { parameters: w.parameters } : {}), actions: w.actions } }));
  const plan = {
    apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRPlan', metadata: { name, namespace: 'default' },
    spec: {
      ...planSpec,
      stages: stages.map((s) => ({
        name: s.name, ...(s.parallel ? { parallel: true } : {}), ...(s.dependsOn ? { dependsOn: s.dependsOn } : {}),
        workflows: s.workflows.map((w) => ({ workflowRef: { name: w.name }, ...(w.params ? { params: Object.entries(w.params).map(([k, v]) => ({ name: k, value: v })) } : {}) })),
      })),
    },
  };
  return [...docs, plan].map((d) => stringify(d)).join('---\n');
}
