import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetError } from '../../../core/errors.js';
import { createKubeGateway, type KubeGateway, type KubeObject, type WatchEvent } from '../../../core/kube/index.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/kube-api/index.js';

let dev: SandboxCluster;
let secured: SandboxCluster;
let gw: KubeGateway;
let hanging: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  dev = await startSandboxCluster({ name: 'dev', controller: { jobDelayMs: 50 } });
  secured = await startSandboxCluster({ name: 'secured', tokens: { 'admin-token': 'admin', 'viewer-token': 'readonly' } });
  gw = createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: 'kind-dev', url: dev.url }, { context: 'k3d-other', url: secured.url }]), context: 'kind-dev' });
  hanging = createServer((socket) => {
    sockets.add(socket); // accept, never answer
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => hanging.close(() => resolve()));
  await dev.stop();
  await secured.stop();
});

async function failure(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected a FleetError');
}

const configMap = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: { k: name } });

describe('KubeGateway over client-node against the sandbox', () => {
  it('names its context and server, and reads the server version', async () => {
    expect(gw.context).toBe('kind-dev');
    expect(gw.server).toBe(dev.url);
    expect((await gw.version()).gitVersion).toMatch(/^v1\.\d+/);
  });

  it('creates, gets, lists, replaces and deletes plain JSON objects', async () => {
    const created = await gw.create(configMap('alpha', { team: 'a' }));
    expect(typeof created.metadata.creationTimestamp).toBe('string');
    await gw.create(configMap('beta', { team: 'b' }));
    const got = await gw.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'alpha' });
    expect(got['data']).toEqual({ k: 'alpha' });
    const list = await gw.list('v1', 'ConfigMap', { namespace: 'default', labelSelector: 'team in (a,b)' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['alpha', 'beta']);
    expect(list.items[0]?.kind).toBe('ConfigMap');
    expect(Number(list.resourceVersion)).toBeGreaterThan(0);
    const replaced = await gw.replace({ ...got, data: { k: 'changed' } });
    expect(replaced['data']).toEqual({ k: 'changed' });
    expect(await gw.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'alpha' })).toBe(true);
    expect(await gw.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'alpha' })).toBe(false);
    expect(await gw.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'alpha' })).toBeUndefined();
  });

  it('maps not found, already exists, stale updates and invalid objects to FleetError codes', async () => {
    const missing = await failure(gw.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'nope' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('kind-dev');
    expect(missing.message).toContain('secrets "nope" not found');
    const exists = await failure(gw.create(configMap('beta')));
    expect(exists.code).toBe('CONFLICT');
    const current = await gw.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'beta' });
    await gw.replace({ ...current, data: { k: 'one' } });
    const stale = await failure(gw.replace({ ...current, data: { k: 'two' } }));
    expect(stale.code).toBe('CONFLICT');
    expect(stale.hint).toContain('latest version');
    const invalid = await failure(gw.create(configMap('Bad_Name')));
    expect(invalid.code).toBe('VALIDATION');
    const unknownKind = await failure(gw.list('nothing.example.io/v1', 'Thing'));
    expect(unknownKind.code).toBe('NOT_FOUND');
  });

  it('patches with merge, JSON, strategic and server-side apply, keeping unknown fields of custom resources', async () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'beta' };
    expect((await gw.patch(ref, { data: { extra: 'x' } }, 'merge'))['data']).toMatchObject({ extra: 'x' });
    expect((await gw.patch(ref, [{ op: 'remove', path: '/data/extra' }], 'json'))['data']).not.toHaveProperty('extra');
    expect((await gw.patch(ref, { metadata: { labels: { s: 'm' } } }, 'strategic')).metadata.labels).toMatchObject({ s: 'm' });

    await gw.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'workflows.dr.fleetdeck.io' },
      spec: { group: 'dr.fleetdeck.io', scope: 'Namespaced', names: { plural: 'workflows', kind: 'Workflow' }, versions: [{ name: 'v1alpha1', served: true, storage: true }] },
    });
    const wf: KubeObject = { apiVersion: 'dr.fleetdeck.io/v1alpha1', kind: 'Workflow', metadata: { name: 'failover', namespace: 'default' }, spec: { actions: [{ type: 'Job', when: '2024-01-01T00:00:00Z' }] } };
    const applied = await gw.apply(wf);
    expect(applied['spec']).toEqual(wf['spec']);
    const reapplied = await gw.apply({ ...wf, spec: { actions: [], paused: true } });
    expect(reapplied['spec']).toMatchObject({ paused: true });
    const listed = await gw.list('dr.fleetdeck.io/v1alpha1', 'Workflow');
    expect(listed.items.map((i) => i.metadata.name)).toEqual(['failover']);
  });

  it('streams watch events until stopped', async () => {
    const events: WatchEvent[] = [];
    const start = await gw.list('v1', 'ConfigMap', { namespace: 'default' });
    const handle = await gw.watch('v1', 'ConfigMap', { namespace: 'default', resourceVersion: start.resourceVersion, labelSelector: 'watch=me' }, (e) => events.push(e));
    await gw.create(configMap('watched', { watch: 'me' }));
    await gw.create(configMap('unwatched'));
    await gw.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'watched' });
    const deadline = Date.now() + 10_000;
    while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    handle.stop();
    await handle.done;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`)).toEqual(['ADDED watched', 'DELETED watched']);
  });

  it('maps refused and missing credentials to UNAUTHORIZED and missing rights to FORBIDDEN', async () => {
    const server = (token?: string): KubeGateway => createKubeGateway({ kind: 'server', name: 'k3d-secured', server: secured.url, ...(token === undefined ? {} : { token }) });
    const anonymous = await failure(server().list('v1', 'Namespace'));
    expect(anonymous.code).toBe('UNAUTHORIZED');
    expect(anonymous.hint).toContain('k3d-secured');
    expect((await failure(server('wrong').list('v1', 'Namespace'))).code).toBe('UNAUTHORIZED');
    const viewer = server('viewer-token');
    expect((await viewer.list('v1', 'Namespace')).items.length).toBeGreaterThan(0);
    const forbidden = await failure(viewer.create(configMap('nope')));
    expect(forbidden.code).toBe('FORBIDDEN');
    expect(forbidden.message).toContain('forbidden');
    expect((await server('admin-token').create(configMap('yes'))).metadata.name).toBe('yes');
  });

  it('reports an unreachable API server as UNAVAILABLE, naming the server', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const dead = createKubeGateway({ kind: 'server', name: 'kind-gone', server: `http://127.0.0.1:${port}` });
    const error = await failure(dead.list('v1', 'Pod', { namespace: 'default' }));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.hint).toContain('kind-gone');
  });

  it('times out on a hanging server while another cluster keeps answering quickly', async () => {
    const port = (hanging.address() as AddressInfo).port;
    const stuck = createKubeGateway({ kind: 'server', name: 'kind-stuck', server: `http://127.0.0.1:${port}` }, { timeoutMs: 3_000 });
    const order: string[] = [];
    const started = Date.now();
    const stuckCall = failure(stuck.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'x' })).finally(() => order.push('stuck'));
    const quick = await gw.list('v1', 'Namespace');
    order.push('quick');
    expect(quick.items.length).toBeGreaterThan(0);
    const error = await stuckCall;
    expect(order).toEqual(['quick', 'stuck']);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('kind-stuck');
    expect(error.hint).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('honours a per-call timeout against a slow sandbox cluster', async () => {
    const slow = await startSandboxCluster({ name: 'slow', controller: false });
    try {
      const slowGw = createKubeGateway({ kind: 'server', name: 'kind-slow', server: slow.url });
      await slowGw.list('v1', 'Namespace');
      slow.setLatency(5_000);
      const error = await failure(slowGw.list('v1', 'Namespace', { timeoutMs: 300 }));
      expect(error.code).toBe('TIMEOUT');
      slow.setLatency(0);
      expect((await slowGw.list('v1', 'Namespace')).items.length).toBeGreaterThan(0);
    } finally {
      await slow.stop();
    }
  });
});
