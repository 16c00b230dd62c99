import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { EXTERNAL_STAGES, LENS_MANAGED_STAGES, RELEASES, STORAGE_SECRET_NAME, dataplaneFor, syncClusters, syncStorageConfigs } from '../../core/dataplane/index.js';
import type { Dataplane, InstallScheduler, InstallView } from '../../core/dataplane/index.js';
import { MANAGEMENT_CLUSTER } from '../../core/fleet.js';
import { resolveManagement } from '../../src/daemon/management.js';
import { dataplaneOptionsFor } from '../../src/daemon/dataplane-options.js';
import { startHttpApi } from '../../src/http/server.js';
import type { HttpApi } from '../../src/http/server.js';
import { openSandboxEngine } from '../../src/sandbox/open-sandbox.js';
import { decodeRelease } from '../../src/sandbox/helm/release-secrets.js';
import type { SandboxFleet } from '../../src/sandbox/world/sandbox-fleet.js';
import { SANDBOX_ENVIRONMENTS } from '../../src/sandbox/world/seed.js';
import { LENS_NAMESPACE, SEEDED_STORAGE } from '../../src/sandbox/world/dataplane-seed.js';

async function until(dataplane: Dataplane, name: string, done: (v: InstallView) => boolean, timeoutMs = 240_000): Promise<InstallView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await dataplane.service.show(name);
    if (done(view)) return view;
    if (Date.now() > deadline) throw new Error(`${name} did not finish: ${JSON.stringify(view.task, null, 1)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the dataplane installer in the sandbox world', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-sandbox-dp-'));
  let engine: Engine;
  let fleet: SandboxFleet;
  let dataplane: Dataplane;
  let scheduler: InstallScheduler | null = null;
  let api: HttpApi | null = null;

  async function runScheduler(): Promise<void> {
    if (scheduler) return;
    scheduler = dataplane.scheduler();
    await scheduler.start();
  }

  beforeAll(async () => {
    ({ engine, fleet } = await openSandboxEngine(resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir })));
    dataplane = dataplaneFor(engine, dataplaneOptionsFor(engine, { pollMs: 200, scheduler: { pollMs: 1000, backoffBaseMs: 200 } }));
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await scheduler?.stop();
    await engine?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds the management cluster through the fleet: the sandbox devops cluster', async () => {
    const resolved = await resolveManagement(engine, { env: {} });
    expect(resolved.gateway?.server).toBe((await fleet.kube(MANAGEMENT_CLUSTER)).server);
    expect('source' in resolved && resolved.source).toMatch(/sandbox devops cluster/);
  });

  it('cluster sync turns the Primus-SaFE Cluster resources into configurations; storage sync gives both storage modes', async () => {
    const management = await fleet.kube(MANAGEMENT_CLUSTER);
    const crs = await management.list('amd.com/v1', 'Cluster');
    expect(crs.items.map((c) => c.metadata.name).sort()).toEqual(SANDBOX_ENVIRONMENTS.map((e) => e.name).sort());
    await syncClusters(engine.db, engine.relay, management, dataplane.secrets);
    const storage = await syncStorageConfigs({ db: engine.db, secrets: dataplane.secrets, kubeFactory: dataplane.kubeFactory });
    expect(storage.synced.sort()).toEqual(Object.keys(SEEDED_STORAGE).sort());
    expect(storage.unreachable).toEqual([]);
    const clusters = await dataplane.service.list();
    expect(clusters.map((c) => [c.name, c.source, c.storageMode])).toEqual(SANDBOX_ENVIRONMENTS.map((e) => e.name).sort()
      .map((name) => [name, 'primus-safe', SEEDED_STORAGE[name] ?? null]));
    // The external cluster's password is kept, encrypted, and never shown.
    const dev = clusters.find((c) => c.name === 'dev')!;
    expect(dev.hasStorageSecrets).toBe(true);
    expect(JSON.stringify(dev)).not.toContain('sandbox-dev-pg');
  });

  it('deploys an external and a lens-managed cluster through the sandbox helm, every seed stage in order, to deployed', async () => {
    await runScheduler();
    await dataplane.service.trigger('dev');
    await dataplane.service.trigger('prod');
    const done = (v: InstallView): boolean => v.dataplaneStatus === 'deployed' || v.dataplaneStatus === 'failed';
    const [dev, prod] = await Promise.all([until(dataplane, 'dev', done), until(dataplane, 'prod', done)]);

    expect(dev.dataplaneStatus).toBe('deployed');
    expect(dev.task?.stages.map((s) => s.name)).toEqual([...EXTERNAL_STAGES]);
    // StageInit is skipped for external storage; the synced storage Secret is already what the apps need.
    expect(dev.task?.stages.map((s) => s.status)).toEqual(['skipped', 'completed', 'skipped', 'completed', 'completed']);
    expect(dev.task?.stages[2]?.detail).toMatch(/present with every key it needs \(\d+ keys\); left as it is/);
    expect(prod.dataplaneStatus).toBe('deployed');
    expect(prod.task?.stages.map((s) => s.name)).toEqual([...LENS_MANAGED_STAGES]);
    expect(prod.task?.stages.every((s) => s.status === 'completed')).toBe(true);
    // Stages ran one after the other.
    const finished = prod.task!.stages.map((s) => Date.parse(s.finishedAt!));
    expect(finished).toEqual([...finished].sort((a, b) => a - b));

    // In the clusters: Helm's release Secrets, the charts' workloads ready, the storage Secret the apps read.
    const prodKube = await fleet.kube('prod');
    const releases = (await prodKube.list('v1', 'Secret', { namespace: LENS_NAMESPACE, labelSelector: 'owner=helm' })).items.map(decodeRelease);
    expect(releases.map((r) => `${r?.name}:${r?.info.status}`).sort()).toEqual(Object.values(RELEASES).map((r) => `${r}:deployed`).sort());
    const statefulSets = (await prodKube.list('apps/v1', 'StatefulSet', { namespace: LENS_NAMESPACE })).items;
    expect(statefulSets.map((s) => s.metadata.name).sort()).toEqual(['primus-lens-opensearch', 'primus-lens-postgres', 'primus-lens-victoria-metrics']);
    const devKube = await fleet.kube('dev');
    const apps = (await devKube.list('apps/v1', 'Deployment', { namespace: LENS_NAMESPACE, labelSelector: `app.kubernetes.io/instance=${RELEASES.applications}` })).items;
    expect(apps.length).toBeGreaterThan(0);
    expect(apps.every((d) => (d['status'] as { readyReplicas?: number }).readyReplicas === 1)).toBe(true);
    const secret = await devKube.get({ apiVersion: 'v1', kind: 'Secret', namespace: LENS_NAMESPACE, name: STORAGE_SECRET_NAME });
    expect(Buffer.from((secret['data'] as Record<string, string>)['storage_mode']!, 'base64').toString()).toBe('external');
  }, 300_000);

  it('over the HTTP API: a second deploy while the first is active is refused with 409; the failing stage is retried, then fails', async () => {
    await runScheduler();
    api = await startHttpApi({ dataplane: dataplane.service, host: '127.0.0.1', port: 0 });
    // prod-k3d (lens-managed, from its storage Secret): its infrastructure chart is told to fail, as a broken chart would.
    await dataplane.service.addCluster({ name: 'prod-k3d', source: 'primus-safe', helmValues: { [RELEASES.infrastructure]: { sandbox: { fail: true } } } });
    const deploy = () => fetch(`${api!.url}/lens/v1/release/clusters/prod-k3d/deploy`, { method: 'POST' });

    const first = await deploy();
    expect(first.status).toBe(202);
    const accepted = await first.json() as { task_id: number; history_id: number; storage_mode: string };
    expect(accepted.storage_mode).toBe('lens-managed');
    // The task is active (queued, running, or waiting out a retry's backoff) for seconds: a second request is refused.
    const second = await deploy();
    expect(second.status).toBe(409);
    const refused = await second.json() as { error: { code: string; message: string; hint: string } };
    expect(refused.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`already has an active install: task ${accepted.task_id}`) });
    expect(refused.error.hint).toMatch(/Wait for it to finish/);

    const view = await until(dataplane, 'prod-k3d', (v) => v.task?.id === accepted.task_id && (v.task.status === 'completed' || v.task.status === 'failed'));
    expect(view.dataplaneStatus).toBe('failed');
    // 1 attempt + 3 retries (backoff 200, 400, 800 ms here), then failed with the stage's error.
    expect(view.task).toMatchObject({ status: 'failed', retryCount: 3, maxRetries: 3 });
    expect(view.task?.errorMessage).toMatch(new RegExp(`^StageInfrastructure: helm upgrade --install ${RELEASES.infrastructure} failed .*sandbox chart infrastructure was told to fail`));
    const stages = Object.fromEntries(view.task!.stages.map((s) => [s.name, `${s.status}×${s.attempts}`]));
    // The stages before it ran once; the retries went straight back to the failing one.
    expect(stages).toEqual({
      StageOperators: 'completed×1', StageWaitOperators: 'completed×1', StageInfrastructure: 'failed×4', StageWaitInfra: 'pending×0',
      StageInit: 'pending×0', StageDatabaseMigration: 'pending×0', StageStorageSecret: 'pending×0', StageApplications: 'pending×0', StageWaitApps: 'pending×0',
    });
    // One request, one history row: the refused one wrote nothing.
    expect(view.history.map((h) => `${h.id}:${h.action}:${h.status}`)).toEqual([`${accepted.history_id}:deploy:failed`]);
    const shown = await fetch(`${api!.url}/lens/v1/release/clusters/prod-k3d`);
    expect(await shown.json()).toMatchObject({ dataplaneStatus: 'failed', task: { id: accepted.task_id, status: 'failed', retryCount: 3 } });

    // In the cluster, Helm's own record says what happened to the release.
    const kube = await fleet.kube('prod-k3d');
    const releases = (await kube.list('v1', 'Secret', { namespace: LENS_NAMESPACE, labelSelector: `owner=helm,name=${RELEASES.infrastructure}` })).items.map(decodeRelease);
    expect(releases.length).toBeGreaterThan(0);
    expect(releases.every((r) => r?.info.status === 'failed')).toBe(true);
  }, 300_000);
});
