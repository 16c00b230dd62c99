import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DataplaneService, SecretBox, defaultKubeFactory } from '../../../core/dataplane/index.js';
import { PRIMUS_CLUSTER, syncClusters } from '../../../core/dataplane/cluster-sync.js';
import { SingletonLoop } from '../../../core/dataplane/lease.js';
import { syncStorageConfigs } from '../../../core/dataplane/storage-sync.js';
import { createKubeGateway } from '../../../core/kube/gateways.js';
import { startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { TEST_ACTOR, openTestEngine } from '../../support/engine.js';

const KEY = 'c'.repeat(64);

const CLUSTER_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'clusters.amd.com' },
  spec: {
    group: 'amd.com', scope: 'Cluster',
    names: { kind: 'Cluster', listKind: 'ClusterList', plural: 'clusters', singular: 'cluster' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

function primusCluster(name: string, endpoint: string, phase = 'Ready'): Parameters<SandboxCluster['objects']['put']>[0] {
  return { apiVersion: PRIMUS_CLUSTER.apiVersion, kind: PRIMUS_CLUSTER.kind, metadata: { name }, status: { controlPlaneStatus: { phase, endpoints: [endpoint] } } };
}

function storageSecret(namespace: string, data: Record<string, string>): Parameters<SandboxCluster['objects']['put']>[0] {
  return {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'primus-lens-storage-config', namespace }, type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

describe.each(DATABASE_KINDS)('cluster and storage config sync (%s)', (kind) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(): Promise<{ engine: Awaited<ReturnType<typeof openTestEngine>>['engine']; service: DataplaneService; box: SecretBox }> {
    const test = await openTestEngine(kind);
    cleanups.push(test.close);
    const box = SecretBox.fromKey(KEY);
    const service = new DataplaneService({ db: test.engine.db, actor: TEST_ACTOR, readonly: false, relay: test.engine.relay, secrets: box });
    return { engine: test.engine, service, box };
  }

  async function sandbox(name: string): Promise<SandboxCluster> {
    const cluster = await startSandboxCluster({ name, controller: false });
    cleanups.push(() => cluster.stop());
    return cluster;
  }

  it('Primus-SaFE Cluster resources become cluster configurations; manual ones keep their connection; vanished ones are soft-deleted', async () => {
    const { engine, service, box } = await start();
    const management = await sandbox('devops');
    management.objects.put(CLUSTER_CRD);
    management.objects.put(primusCluster('gpu-a', 'http://10.1.0.1:6443'));
    management.objects.put(primusCluster('gpu-b', '10.1.0.2:6443'));
    await service.addCluster({ name: 'gpu-m', kubeContext: 'operator-ctx' });
    management.objects.put(primusCluster('gpu-m', 'http://10.1.0.3:6443'));
    const gateway = createKubeGateway({ kind: 'server', name: 'devops', server: management.url, insecureSkipTlsVerify: true });

    const first = await syncClusters(engine.db, engine.relay, gateway, box);
    expect(first.added.sort()).toEqual(['gpu-a', 'gpu-b']);
    const listed = await service.list();
    expect(listed.map((c) => [c.name, c.source, c.dataplaneStatus, c.kubeServer ?? c.kubeContext])).toEqual([
      ['gpu-a', 'primus-safe', 'pending', 'http://10.1.0.1:6443'],
      ['gpu-b', 'primus-safe', 'pending', 'https://10.1.0.2:6443'],
      ['gpu-m', 'manual', 'pending', 'operator-ctx'],
    ]);

    management.objects.put(primusCluster('gpu-a', 'http://10.9.9.9:6443'));
    management.objects.delete({ apiVersion: PRIMUS_CLUSTER.apiVersion, kind: PRIMUS_CLUSTER.kind, name: 'gpu-b' });
    const second = await syncClusters(engine.db, engine.relay, gateway, box);
    expect(second).toMatchObject({ added: [], updated: ['gpu-a'], removed: ['gpu-b'] });
    const after = await service.list();
    expect(after.map((c) => [c.name, c.kubeServer ?? c.kubeContext])).toEqual([['gpu-a', 'http://10.9.9.9:6443'], ['gpu-m', 'operator-ctx']]);
    await expect(service.trigger('gpu-b')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const third = await syncClusters(engine.db, engine.relay, gateway, box);
    expect(third).toMatchObject({ added: [], updated: [], removed: [] });
  });

  it('storage sync: Secret synced (empty storage_mode → external, passwords encrypted), missing Secret skipped, unreachable cluster recorded without stopping the others', async () => {
    const { engine, service } = await start();
    const withSecret = await sandbox('with-secret');
    withSecret.objects.put(storageSecret('primus-lens', { storage_mode: '', postgres_host: 'pg.example', postgres_password: 'canary-pg-password' }));
    const withoutSecret = await sandbox('without-secret');
    // Accepts connections and never answers: a cluster that hangs rather than refuses.
    const sockets = new Set<Socket>();
    const blackHole: Server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      blackHole.close(() => resolve());
    }));
    const deadUrl = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    await service.addCluster({ name: 'a-dead', kubeServer: deadUrl });
    await service.addCluster({ name: 'b-secret', kubeServer: withSecret.url });
    await service.addCluster({ name: 'c-nosecret', kubeServer: withoutSecret.url });

    const report = await syncStorageConfigs({ db: engine.db, secrets: SecretBox.fromKey(KEY), kubeFactory: defaultKubeFactory, timeoutMs: 1500 });
    expect(report.synced).toEqual(['b-secret']);
    expect(report.skipped).toEqual(['c-nosecret']);
    expect(report.unreachable.map((u) => u.cluster)).toEqual(['a-dead']);
    const clusters = Object.fromEntries((await service.list()).map((c) => [c.name, c]));
    expect(clusters['b-secret']).toMatchObject({ storageMode: 'external', storageConfig: { storage_mode: '', postgres_host: 'pg.example' }, hasStorageSecrets: true });
    expect(JSON.stringify(clusters['b-secret'])).not.toContain('canary-pg-password');
    expect(clusters['c-nosecret']?.storageMode).toBeNull();
    expect(clusters['a-dead']?.storageSyncError).toBeTruthy();
    // Never delayed by it: a-dead comes first by name, yet b-secret was synced before a-dead's attempt gave up
    // (its error is written when the stalled request times out). Run one after the other, this order would reverse.
    const stamps = await engine.db.query<{ name: string; synced: Date | string | null; changed: Date | string }>(
      `SELECT name, storage_synced_at AS synced, updated_at AS changed FROM dataplane_clusters WHERE name IN ('a-dead', 'b-secret')`);
    const at = Object.fromEntries(stamps.rows.map((r) => [r.name, r]));
    expect(at['a-dead']?.synced).toBeNull();
    expect(new Date(at['b-secret']!.synced!).getTime()).toBeLessThan(new Date(at['a-dead']!.changed).getTime());
    expect(sockets.size).toBeGreaterThan(0);
  });

  it('a singleton loop runs in one holder at a time', async () => {
    const { engine } = await start();
    const runs: string[] = [];
    const loops = ['one', 'two'].map((holder) => new SingletonLoop({
      db: engine.db, name: 'test.loop', holder, intervalMs: 100,
      run: async () => {
        runs.push(holder);
      },
    }));
    for (const loop of loops) loop.start();
    await new Promise((r) => setTimeout(r, 800));
    for (const loop of loops) await loop.stop();
    expect(runs.length).toBeGreaterThan(1);
    expect(new Set(runs).size).toBe(1);
  });
});
