import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetError } from '../../../core/errors.js';
import { createKubeGateway, defaultKubeconfigPaths, KubeGatewayPool, listKubeContexts } from '../../../core/kube/index.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/kube-api/index.js';

let dir: string;
let a: SandboxCluster;
let b: SandboxCluster;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetdeck-kubeconfig-'));
  a = await startSandboxCluster({ name: 'a', controller: false });
  b = await startSandboxCluster({ name: 'b', controller: false });
  a.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'only-in-a', namespace: 'default' } });
  await writeFile(join(dir, 'one.yaml'), kubeconfigFor([{ context: 'kind-a', url: a.url }]));
  await writeFile(join(dir, 'two.yaml'), kubeconfigFor([{ context: 'k3d-b', url: b.url, namespace: 'kube-system' }]));
});

afterAll(async () => {
  await a.stop();
  await b.stop();
  await rm(dir, { recursive: true, force: true });
});

function thrown(fn: () => unknown): FleetError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected a FleetError');
}

describe('kube connections', () => {
  it('merges every file named by KUBECONFIG and reaches each context independently', async () => {
    const env = { KUBECONFIG: [join(dir, 'one.yaml'), join(dir, 'missing.yaml'), join(dir, 'two.yaml')].join(delimiter) };
    expect(defaultKubeconfigPaths({ env })).toHaveLength(2);
    expect(listKubeContexts({ kind: 'kubeconfig-file' }, { env })).toEqual(['kind-a', 'k3d-b']);
    const gwA = createKubeGateway({ kind: 'kubeconfig-file', context: 'kind-a' }, { env });
    const gwB = createKubeGateway({ kind: 'kubeconfig-file', context: 'k3d-b' }, { env });
    expect(gwA.server).toBe(a.url);
    expect(gwB.server).toBe(b.url);
    expect((await gwA.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'only-in-a' }))?.metadata.name).toBe('only-in-a');
    expect(await gwB.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'only-in-a' })).toBeUndefined();
  });

  it('uses the context namespace when a namespaced ref has none', async () => {
    const gwB = createKubeGateway({ kind: 'kubeconfig-file', path: join(dir, 'two.yaml') });
    const created = await gwB.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'here' } });
    expect(created.metadata.namespace).toBe('kube-system');
  });

  it('falls back to ~/.kube/config, and says so when there is no kubeconfig at all', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    expect(thrown(() => createKubeGateway({ kind: 'kubeconfig-file' }, { env: {}, homeDir: join(dir, 'nohome') })).code).toBe('NOT_FOUND');
    await writeFile(join(home, '.kube', 'config'), kubeconfigFor([{ context: 'kind-a', url: a.url }]));
    const gw = createKubeGateway({ kind: 'kubeconfig-file' }, { env: {}, homeDir: home });
    expect(gw.context).toBe('kind-a');
  });

  it('names the known contexts when asked for an unknown one', () => {
    const error = thrown(() => createKubeGateway({ kind: 'kubeconfig-file', path: join(dir, 'one.yaml'), context: 'kind-zzz' }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('kind-zzz');
    expect(error.hint).toContain('kind-a');
  });

  it('builds a client from connection data held in the database', async () => {
    const gw = createKubeGateway({ kind: 'server', name: 'kind-a', server: a.url, token: 'unused' });
    expect((await gw.list('v1', 'ConfigMap', { namespace: 'default' })).items.map((i) => i.metadata.name)).toContain('only-in-a');
    expect(thrown(() => createKubeGateway({ kind: 'server', name: 'x', server: 'not a url' })).code).toBe('VALIDATION');
    const broken = thrown(() => createKubeGateway({ kind: 'kubeconfig', yaml: ': : :' }));
    expect(['VALIDATION', 'NOT_FOUND']).toContain(broken.code);
  });

  it('keeps one gateway per context in a pool', () => {
    const pool = new KubeGatewayPool();
    const conn = { kind: 'kubeconfig-file', path: join(dir, 'one.yaml') } as const;
    const first = pool.get('kind-a', conn);
    expect(pool.get('kind-a', conn)).toBe(first);
    pool.forget('kind-a');
    expect(pool.get('kind-a', conn)).not.toBe(first);
  });
});
