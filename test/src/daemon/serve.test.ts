import { afterEach, describe, expect, it } from 'vitest';
import { HelmCli, PRIMUS_CLUSTER, RELEASES } from '../../../core/dataplane/index.js';
import { startDaemon } from '../../../src/daemon/daemon.js';
import type { Daemon } from '../../../src/daemon/daemon.js';
import { startHttpApi } from '../../../src/http/server.js';
import type { HttpApi } from '../../../src/http/server.js';
import { startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { openWorld, waitForInstall, externalStorage } from '../../core/dataplane/world.js';
import type { World } from '../../core/dataplane/world.js';

describe('fleetdeck serve: HTTP API plus the daemon loops in one process', () => {
  let world: World | null = null;
  let management: SandboxCluster | null = null;
  let daemon: Daemon | null = null;
  let api: HttpApi | null = null;
  afterEach(async () => {
    await api?.close();
    await daemon?.stop();
    await management?.stop();
    await world?.close();
    api = null;
    daemon = null;
    management = null;
    world = null;
  });

  it('a Primus-SaFE cluster appears through cluster sync, its storage Secret makes it external, and a POSTed deploy ends deployed', async () => {
    world = await openWorld('pglite');
    management = await startSandboxCluster({ name: 'devops', controller: false });
    management.objects.put({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'clusters.amd.com' },
      spec: { group: 'amd.com', scope: 'Cluster', names: { kind: 'Cluster', listKind: 'ClusterList', plural: 'clusters', singular: 'cluster' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    });
    // Cluster sync brings the endpoint only (no client certificate in the sandbox), so the target accepts anyone.
    const target = await startSandboxCluster({ name: 'gpu-live' });
    management.objects.put({ apiVersion: PRIMUS_CLUSTER.apiVersion, kind: PRIMUS_CLUSTER.kind, metadata: { name: 'gpu-live' },
      status: { controlPlaneStatus: { phase: 'Ready', endpoints: [target.url] } } });
    target.objects.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'primus-lens-storage-config', namespace: 'primus-lens' }, type: 'Opaque',
      // An operator's complete Secret without storage_mode: storage sync makes the cluster external (the seed's rule).
      data: Object.fromEntries(Object.entries({ ...externalStorage('gpu-live'), storage_mode: '' }).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
    try {
      daemon = await startDaemon({
        engine: world.engine,
        management: { kind: 'server', name: 'devops', server: management.url, insecureSkipTlsVerify: true },
        dataplane: { secrets: world.secrets, helm: new HelmCli({ binary: world.helm.bin, env: world.helm.env }), timeouts: { default: 15_000 }, pollMs: 100 },
        clusterSyncMs: 500, storageSyncMs: 500,
      });
      api = await startHttpApi({ dataplane: world.dataplane.service, port: 0 });
      const service = world.dataplane.service;
      const deadline = Date.now() + 30_000;
      while (!(await service.list()).some((c) => c.name === 'gpu-live' && c.storageMode === 'external')) {
        if (Date.now() > deadline) throw new Error(`storage mode not synced: ${JSON.stringify(await service.list())}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const answer = await fetch(`${api.url}/lens/v1/release/clusters/gpu-live/deploy`, { method: 'POST' });
      expect(answer.status).toBe(202);
      const view = await waitForInstall(world, 'gpu-live', (v) => v.dataplaneStatus === 'deployed' || v.dataplaneStatus === 'failed');
      expect(view.dataplaneStatus).toBe('deployed');
      expect(view.task?.stages).toHaveLength(5);
      expect(Object.keys(world.helm.releases())).toContain(`primus-lens/${RELEASES.applications}`);
      const listed = await (await fetch(`${api.url}/lens/v1/release/clusters`)).json() as { clusters: { name: string; source: string }[] };
      expect(listed.clusters.map((c) => [c.name, c.source])).toEqual([['gpu-live', 'primus-safe']]);
    } finally {
      await target.stop();
    }
  }, 120_000);
});
