import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../src/sandbox/kube-api/index.js';

let cluster: SandboxCluster;
let kc: KubeConfig;
let core: CoreV1Api;
let objects: KubernetesObjectApi;

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'client-node', controller: { jobDelayMs: 100, podStartMs: 50 } });
  kc = new KubeConfig();
  kc.loadFromString(kubeconfigFor([{ context: 'kind-test', url: cluster.url }]));
  core = kc.makeApiClient(CoreV1Api);
  objects = KubernetesObjectApi.makeApiClient(kc);
});

afterAll(async () => {
  await cluster.stop();
});

async function statusOf(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<string>;
    const body = JSON.parse(e.body) as { reason: string; message: string; kind: string };
    expect(body.kind).toBe('Status');
    return { code: e.code, reason: body.reason, message: body.message };
  }
  throw new Error('expected the call to fail');
}

describe('sandbox API server with @kubernetes/client-node', () => {
  it('creates, reads, updates and deletes a ConfigMap with uid, resourceVersion and timestamps', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'settings', labels: { app: 'demo' } }, data: { mode: 'a' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    expect(read.data).toEqual({ mode: 'a' });
    const updated = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: { ...read, data: { mode: 'b' } } });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    const patched = await objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { extra: 'x' } } as KubernetesObject,
      undefined, undefined, undefined, undefined, PatchStrategy.MergePatch,
    );
    expect((patched as { data?: Record<string, string> }).data).toEqual({ mode: 'b', extra: 'x' });
    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    const gone = await statusOf(core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' }));
    expect(gone).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "settings" not found' });
  });

  it('answers a stale update with 409 Conflict and a duplicate create with 409 AlreadyExists', async () => {
    const first = await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'token' }, stringData: { token: 'abc' } } });
    expect(first.data).toEqual({ token: Buffer.from('abc').toString('base64') });
    await core.replaceNamespacedSecret({ name: 'token', namespace: 'default', body: { ...first, data: { token: 'eHl6' } } });
    const stale = await statusOf(core.replaceNamespacedSecret({ name: 'token', namespace: 'default', body: { ...first, data: { token: 'b2xk' } } }));
    expect(stale.code).toBe(409);
    expect(stale.reason).toBe('Conflict');
    expect(stale.message).toContain('the object has been modified');
    const dup = await statusOf(core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'token' } } }));
    expect(dup).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'secrets "token" already exists' });
  });

  it('generates names, refuses bad names with 422 and unknown namespaces with 404', async () => {
    const pod = await core.createNamespacedPod({ namespace: 'default', body: { metadata: { generateName: 'worker-' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    expect(pod.metadata?.name).toMatch(/^worker-[a-z0-9]{5}$/);
    expect(pod.status?.phase).toBe('Pending');
    const bad = await statusOf(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Not_Valid' } } }));
    expect(bad.code).toBe(422);
    expect(bad.reason).toBe('Invalid');
    expect(bad.message).toContain('metadata.name');
    const noNs = await statusOf(core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }));
    expect(noNs).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });

  it('filters lists by label selectors (=, !=, in, notin, exists, !exists) and field selectors', async () => {
    await core.createNamespace({ body: { metadata: { name: 'sel' } } });
    const labels: Record<string, Record<string, string>> = { a: { tier: 'web', env: 'prod' }, b: { tier: 'db', env: 'dev' }, c: { tier: 'cache' } };
    for (const [name, l] of Object.entries(labels)) await core.createNamespacedConfigMap({ namespace: 'sel', body: { metadata: { name, labels: l } } });
    const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> =>
      (await core.listNamespacedConfigMap({ namespace: 'sel', ...(labelSelector === undefined ? {} : { labelSelector }), ...(fieldSelector === undefined ? {} : { fieldSelector }) })).items.map((i) => i.metadata?.name ?? '');
    expect(await names('tier=web')).toEqual(['a']);
    expect(await names('tier==db')).toEqual(['b']);
    expect(await names('tier!=web')).toEqual(['b', 'c']);
    expect(await names('tier in (web,db)')).toEqual(['a', 'b']);
    expect(await names('tier notin (web, db)')).toEqual(['c']);
    expect(await names('env')).toEqual(['a', 'b']);
    expect(await names('!env')).toEqual(['c']);
    expect(await names('env,tier!=db')).toEqual(['a']);
    expect(await names(undefined, 'metadata.name=b')).toEqual(['b']);
    expect(await names(undefined, 'metadata.name!=b,metadata.namespace=sel')).toEqual(['a', 'c']);
    const all = await core.listConfigMapForAllNamespaces({ labelSelector: 'tier' });
    expect(all.items).toHaveLength(3);
  });

  it('pages lists with limit and continue', async () => {
    const first = await core.listNamespacedConfigMap({ namespace: 'sel', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.metadata?._continue).toBeTruthy();
    const rest = await core.listNamespacedConfigMap({ namespace: 'sel', limit: 2, _continue: first.metadata?._continue ?? '' });
    expect(rest.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect(rest.metadata?._continue).toBeUndefined();
  });

  it('bumps generation on spec changes only', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const body = { metadata: { name: 'gen', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } } };
    const created = await apps.createNamespacedDeployment({ namespace: 'default', body });
    expect(created.metadata?.generation).toBe(1);
    const labelled = await apps.patchNamespacedDeployment({ name: 'gen', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }] });
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await objects.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gen', namespace: 'default' }, spec: { replicas: 2 } } as KubernetesObject, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    expect(scaled.metadata?.generation).toBe(2);
    expect(scaled.metadata?.labels).toEqual({ x: 'y' });
  });

  it('streams watch events from a resourceVersion, with selectors', async () => {
    const start = await core.listNamespacedConfigMap({ namespace: 'default' });
    const seen: string[] = [];
    let resolveDone: () => void = () => undefined;
    const finished = new Promise<void>((r) => (resolveDone = r));
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: start.metadata?.resourceVersion, labelSelector: 'watched=yes' },
      (type, obj: { metadata: { name: string } }) => {
        seen.push(`${type} ${obj.metadata.name}`);
        if (type === 'DELETED' && obj.metadata.name === 'w') resolveDone();
      },
      () => resolveDone(),
    );
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'ignored' } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w', labels: { watched: 'yes' } } } });
    await core.patchNamespacedConfigMap({ name: 'w', namespace: 'default', body: [{ op: 'add', path: '/data', value: { k: 'v' } }] });
    await core.patchNamespacedConfigMap({ name: 'ignored', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels', value: { watched: 'yes' } }] });
    await core.patchNamespacedConfigMap({ name: 'ignored', namespace: 'default', body: [{ op: 'remove', path: '/metadata/labels' }] });
    await core.deleteNamespacedConfigMap({ name: 'w', namespace: 'default' });
    await finished;
    controller.abort();
    // An object relabelled into the selection arrives as ADDED, and out of it as DELETED, as from kube-apiserver.
    expect(seen).toEqual(['ADDED w', 'MODIFIED w', 'ADDED ignored', 'DELETED ignored', 'DELETED w']);
  });

  it('serves a custom resource once its CRD exists, namespaced or cluster scoped, with a status subresource', async () => {
    const before = await fetch(`${cluster.url}/apis/example.fleetdeck.io/v1/namespaces/default/gadgets`);
    expect(before.status).toBe(404);
    for (const scope of ['Namespaced', 'Cluster'] as const) {
      const [plural, kind] = scope === 'Namespaced' ? ['gadgets', 'Gadget'] : ['fleets', 'Fleet'];
      await objects.create({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${plural}.example.fleetdeck.io` },
        spec: { group: 'example.fleetdeck.io', scope, names: { plural, singular: kind.toLowerCase(), kind }, versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object' } } }] },
      } as KubernetesObject);
    }
    const gadget = await objects.create({ apiVersion: 'example.fleetdeck.io/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'default' }, spec: { size: 1 }, status: { ignored: true } } as KubernetesObject);
    expect((gadget as { status?: unknown }).status).toBeUndefined();
    const fleet = await objects.create({ apiVersion: 'example.fleetdeck.io/v1', kind: 'Fleet', metadata: { name: 'all' }, spec: { clusters: 7 } } as KubernetesObject);
    expect(fleet.metadata?.namespace).toBeUndefined();
    const res = await fetch(`${cluster.url}/apis/example.fleetdeck.io/v1/namespaces/default/gadgets/g1/status`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { phase: 'Ready' }, spec: { size: 99 } }),
    });
    const afterStatus = (await res.json()) as { status: unknown; spec: unknown; metadata: { generation: number } };
    expect(afterStatus.status).toEqual({ phase: 'Ready' });
    expect(afterStatus.spec).toEqual({ size: 1 });
    const list = await objects.list('example.fleetdeck.io/v1', 'Gadget', 'default');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['g1']);
    const discovery = (await (await fetch(`${cluster.url}/apis/example.fleetdeck.io/v1`)).json()) as { resources: { name: string; namespaced: boolean }[] };
    expect(discovery.resources.map((r) => `${r.name}:${r.namespaced}`)).toEqual(expect.arrayContaining(['gadgets:true', 'fleets:false', 'gadgets/status:true']));
  });

  it('answers unknown paths and malformed bodies with Status errors', async () => {
    const missing = await fetch(`${cluster.url}/apis/nope.io/v1/things`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { kind: string }).kind).toBe('Status');
    const bad = await fetch(`${cluster.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason: string }).reason).toBe('BadRequest');
    const wrongKind = await fetch(`${cluster.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x' } }) });
    expect(wrongKind.status).toBe(400);
  });
});
