import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PRIMUS_CLUSTER } from '../../../core/dataplane/index.js';
import { startDaemon } from '../../../src/daemon/daemon.js';
import type { Daemon } from '../../../src/daemon/daemon.js';
import { startSandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import type { SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { openWorld } from '../../core/dataplane/world.js';
import type { World } from '../../core/dataplane/world.js';

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'clusters.amd.com' },
  spec: { group: 'amd.com', scope: 'Cluster', names: { kind: 'Cluster', listKind: 'ClusterList', plural: 'clusters', singular: 'cluster' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
};

function primusCluster(name: string) {
  return { apiVersion: PRIMUS_CLUSTER.apiVersion, kind: PRIMUS_CLUSTER.kind, metadata: { name },
    status: { controlPlaneStatus: { phase: 'Ready', endpoints: [`http://10.2.0.${name.length}:6443`] } } };
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the daemon\'s Primus-SaFE cluster watch', () => {
  let world: World | null = null;
  let management: SandboxCluster | null = null;
  let daemon: Daemon | null = null;
  const stateDir = mkdtempSync(join(tmpdir(), 'fleetdeck-watch-'));
  afterEach(async () => {
    await daemon?.stop();
    await management?.stop();
    await world?.close();
    rmSync(stateDir, { recursive: true, force: true });
    daemon = null;
    management = null;
    world = null;
  });

  it('is opened again when the API server ends it (a restart), so new clusters still arrive at once, not at the next periodic pass', async () => {
    world = await openWorld('pglite');
    management = await startSandboxCluster({ name: 'devops', controller: false, stateDir });
    management.objects.put(CRD);
    const lines: string[] = [];
    // The periodic pass is 10 minutes away: only watch events can make clusters appear during this test.
    daemon = await startDaemon({
      engine: world.engine, management: { kind: 'server', name: 'devops', server: management.url, insecureSkipTlsVerify: true },
      dataplane: { secrets: world.secrets }, clusterSyncMs: 600_000, storageSyncMs: 600_000, watchBackoffMs: { min: 100, max: 1000 },
      apps: null, log: (line) => lines.push(line),
    });
    const names = async () => (await world!.dataplane.service.list()).map((c) => c.name);
    await until('the watch to open', () => daemon!.clusterWatch!.opened === 1);
    management.objects.put(primusCluster('gpu-before'));
    await until('gpu-before to arrive through the watch', async () => (await names()).includes('gpu-before'));

    // The API server goes away and comes back on the same address: the stream it served has ended.
    const port = management.port;
    await management.flush();
    await management.stop();
    await until('the daemon to notice the closed watch', () => lines.some((l) => /cluster watch (closed by the server|unavailable)/.test(l)));
    management = await startSandboxCluster({ name: 'devops', controller: false, stateDir, port });
    await until('the watch to be opened again', () => daemon!.clusterWatch!.opened >= 2);

    management.objects.put(primusCluster('gpu-after'));
    await until('gpu-after to arrive through the new watch', async () => (await names()).includes('gpu-after'));
    expect(await names()).toEqual(['gpu-after', 'gpu-before']);
  }, 90_000);
});
