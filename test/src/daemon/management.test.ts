import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HelmCli, PRIMUS_CLUSTER, STORAGE_SECRET_NAME } from '../../../core/dataplane/index.js';
import { resolveManagement, startDaemon } from '../../../src/daemon/daemon.js';
import type { Daemon } from '../../../src/daemon/daemon.js';
import { kubeconfigFor, startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { CLUSTER_TOKEN, openWorld, waitForInstall, externalStorage } from '../../core/dataplane/world.js';
import type { World } from '../../core/dataplane/world.js';

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'clusters.amd.com' },
  spec: { group: 'amd.com', scope: 'Cluster', names: { kind: 'Cluster', listKind: 'ClusterList', plural: 'clusters', singular: 'cluster' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
};

describe('the daemon finds its clusters through the configuration and the fleet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-mgmt-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const savedKubeconfig = process.env.KUBECONFIG;
  let world: World | null = null;
  let management: SandboxCluster | null = null;
  let daemon: Daemon | null = null;
  afterEach(async () => {
    await daemon?.stop();
    await management?.stop();
    await world?.close();
    daemon = null;
    management = null;
    world = null;
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function setup(): Promise<void> {
    world = await openWorld('pglite');
    management = await startSandboxCluster({ name: 'devops', controller: false });
    management.objects.put(CRD);
    management.objects.put({ apiVersion: PRIMUS_CLUSTER.apiVersion, kind: PRIMUS_CLUSTER.kind, metadata: { name: 'gpu-synced' },
      status: { controlPlaneStatus: { phase: 'Ready', endpoints: ['https://10.0.0.9:6443'] } } });
    // The real fleet reads the kubeconfig in effect: k3d-devops is the configuration's default management context.
    writeFileSync(kubeconfig, kubeconfigFor([
      { context: 'k3d-devops', url: management.url },
      { context: 'kind-gpu-ctx', url: world.cluster.url, token: CLUSTER_TOKEN },
    ], 'k3d-devops'));
    process.env.KUBECONFIG = kubeconfig;
  }

  it('without FLEETDECK_MANAGEMENT_CONTEXT, cluster sync reads the configured management context (k3d-devops)', async () => {
    await setup();
    expect(world!.engine.config.fleet.managementContext).toBe('k3d-devops');
    const lines: string[] = [];
    daemon = await startDaemon({ engine: world!.engine, env: {}, dataplane: { secrets: world!.secrets }, clusterSyncMs: 500, storageSyncMs: 60_000, log: (l) => lines.push(l) });
    expect(daemon.management?.context).toBe('k3d-devops');
    expect(lines.join('\n')).toMatch(/cluster sync reads Primus-SaFE clusters from kube context k3d-devops/);
    const deadline = Date.now() + 30_000;
    while (!(await world!.dataplane.service.list()).some((c) => c.name === 'gpu-synced')) {
      if (Date.now() > deadline) throw new Error(`cluster sync did not run: ${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  it('FLEETDECK_MANAGEMENT_CONTEXT overrides the configuration; an unknown context turns cluster sync off with the reason', async () => {
    await setup();
    const override = await resolveManagement(world!.engine, { env: { FLEETDECK_MANAGEMENT_CONTEXT: 'kind-gpu-ctx' } });
    expect(override.gateway?.context).toBe('kind-gpu-ctx');
    expect('source' in override && override.source).toMatch(/FLEETDECK_MANAGEMENT_CONTEXT/);
    const lines: string[] = [];
    daemon = await startDaemon({ engine: world!.engine, env: { FLEETDECK_MANAGEMENT_CONTEXT: 'no-such-context' }, dataplane: { secrets: world!.secrets }, log: (l) => lines.push(l) });
    expect(daemon.management).toBeNull();
    expect(lines.join('\n')).toMatch(/cluster sync off: FLEETDECK_MANAGEMENT_CONTEXT cannot be used: .*no-such-context/);
  }, 90_000);

  it('a cluster configuration naming a kube context is reached through the fleet for storage sync and the install', async () => {
    await setup();
    world!.cluster.objects.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'primus-lens' } });
    world!.cluster.objects.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: STORAGE_SECRET_NAME, namespace: 'primus-lens' }, type: 'Opaque',
      data: Object.fromEntries(Object.entries(externalStorage('gpu-ctx')).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
    await world!.dataplane.service.addCluster({ name: 'gpu-ctx', kubeContext: 'kind-gpu-ctx' });
    daemon = await startDaemon({
      engine: world!.engine, env: {}, clusterSyncMs: 60_000, storageSyncMs: 500,
      dataplane: { secrets: world!.secrets, helm: new HelmCli({ binary: world!.helm.bin, env: world!.helm.env }), timeouts: { default: 15_000 }, pollMs: 100 },
    });
    const deadline = Date.now() + 30_000;
    while ((await world!.dataplane.service.list()).find((c) => c.name === 'gpu-ctx')?.storageMode !== 'external') {
      if (Date.now() > deadline) throw new Error('storage sync did not reach the cluster through its kube context');
      await new Promise((r) => setTimeout(r, 100));
    }
    await world!.dataplane.service.trigger('gpu-ctx');
    const view = await waitForInstall(world!, 'gpu-ctx', (v) => v.dataplaneStatus === 'deployed' || v.dataplaneStatus === 'failed');
    expect(view.dataplaneStatus).toBe('deployed');
    const upgrade = world!.helm.calls().find((c) => c[1] === 'upgrade')!;
    expect(upgrade.slice(upgrade.indexOf('--kube-context'), upgrade.indexOf('--kube-context') + 2)).toEqual(['--kube-context', 'kind-gpu-ctx']);
  }, 120_000);
});
