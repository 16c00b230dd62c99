import { afterEach, describe, expect, it } from 'vitest';
import { STORAGE_SECRET_NAME, syncStorageConfigs } from '../../../core/dataplane/index.js';
import type { InstallScheduler } from '../../../core/dataplane/index.js';
import type { KubeObject } from '../../../core/kube/types.js';
import type { World } from './world.js';
import { CLUSTER_TOKEN, addTarget, externalStorage, installEnded, openWorld, putStorageSecret, waitForInstall } from './world.js';

/**
 * StageStorageSecret against the sandbox Kubernetes API: the live `primus-lens-storage-config` Secret is the source
 * of storage configuration, so the stage never drops or overwrites a field of it, and creates it only from complete data.
 */
function liveSecret(world: World, namespace: string): KubeObject | undefined {
  return world.cluster.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace, name: STORAGE_SECRET_NAME });
}

function decoded(secret: KubeObject | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries((secret?.['data'] ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

const storageStage = (world: World, name: string) => world.dataplane.service.show(name).then((v) => v.task!.stages.find((s) => s.name === 'StageStorageSecret')!);

describe('StageStorageSecret (pglite, sandbox cluster, fake helm)', () => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await world?.close();
    world = null;
  });

  async function start(options: Parameters<typeof openWorld>[1] = {}): Promise<World> {
    world = await openWorld('pglite', { ...options, dataplane: { scheduler: { pollMs: 1000, staleMs: 3000, backoffBaseMs: 50 }, ...options.dataplane } });
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    return world;
  }

  it('leaves a live Secret exactly as it is, even when the database copy lacks its passwords (synced without FLEETDECK_SECRET_KEY)', async () => {
    const w = await start();
    await addTarget(w, 'gpu-keep', 'external', {}, { storageSecret: false });
    const live = { ...externalStorage('gpu-keep'), opensearch_user: 'os-admin', opensearch_password: 'canary-os-pass', tls_ca: 'operator-ca' };
    putStorageSecret(w, 'lens-gpu-keep', live);
    // What storage sync records when it runs without FLEETDECK_SECRET_KEY: the plain fields only, and a warning.
    const plain = Object.fromEntries(Object.entries(live).filter(([k]) => !/pass/.test(k)));
    await w.engine.db.query(`UPDATE dataplane_clusters SET storage_config = $2::jsonb, storage_secrets_enc = NULL, storage_synced_at = now(),
      storage_sync_error = 'secret values not stored: FLEETDECK_SECRET_KEY is not set' WHERE name = $1`, ['gpu-keep', JSON.stringify(plain)]);
    const before = liveSecret(w, 'lens-gpu-keep');
    await w.dataplane.service.trigger('gpu-keep');
    const view = await waitForInstall(w, 'gpu-keep', installEnded);
    expect(view.dataplaneStatus).toBe('deployed');
    const stage = view.task!.stages.find((s) => s.name === 'StageStorageSecret')!;
    expect(stage.status).toBe('skipped');
    expect(stage.detail).toMatch(/present with every key it needs \(11 keys\); left as it is/);
    const after = liveSecret(w, 'lens-gpu-keep');
    expect(decoded(after)).toEqual(live);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('deploying before the first storage sync, with no Secret in the cluster: the stage fails, says what is missing, and creates nothing', async () => {
    const w = await start();
    await addTarget(w, 'gpu-early', 'external', {}, { storageSecret: false });
    await w.dataplane.service.trigger('gpu-early');
    const view = await waitForInstall(w, 'gpu-early', installEnded);
    expect(view.dataplaneStatus).toBe('failed');
    const stage = view.task!.stages.find((s) => s.name === 'StageStorageSecret')!;
    expect(stage.status).toBe('failed');
    expect(stage.error).toContain(`the Secret ${STORAGE_SECRET_NAME} in namespace lens-gpu-early of cluster gpu-early does not exist`);
    expect(stage.error).toContain('lacks postgres_host, postgres_user, postgres_password, opensearch_host, prometheus_url');
    expect(liveSecret(w, 'lens-gpu-early')).toBeUndefined();
    // The applications were never installed on a made-up storage config.
    expect(Object.keys(w.helm.releases())).not.toContain('lens-gpu-early/primus-lens-apps');
  });

  it('a Secret deleted after storage sync is created again from the complete copy, passwords included', async () => {
    const w = await start();
    await addTarget(w, 'gpu-again', 'external');
    await syncStorageConfigs({ db: w.engine.db, secrets: w.secrets, kubeFactory: w.dataplane.kubeFactory });
    w.cluster.objects.delete({ apiVersion: 'v1', kind: 'Secret', namespace: 'lens-gpu-again', name: STORAGE_SECRET_NAME });
    await w.dataplane.service.trigger('gpu-again');
    const view = await waitForInstall(w, 'gpu-again', installEnded);
    expect(view.dataplaneStatus).toBe('deployed');
    expect((await storageStage(w, 'gpu-again')).detail).toBe(`secret ${STORAGE_SECRET_NAME} created (8 keys)`);
    expect(decoded(liveSecret(w, 'lens-gpu-again'))).toEqual(externalStorage('gpu-again'));
  });

  it('lens-managed: a live Secret gets the endpoint keys it lacks; every existing field keeps its value', async () => {
    const w = await start();
    await addTarget(w, 'gpu-managed', 'lens-managed');
    const live = { storage_mode: 'lens-managed', storage_class: 'local-path', postgres_host: 'custom-pg.lens.svc', postgres_password: 'canary-managed' };
    putStorageSecret(w, 'lens-gpu-managed', live);
    await w.dataplane.service.trigger('gpu-managed');
    const view = await waitForInstall(w, 'gpu-managed', installEnded);
    expect(view.dataplaneStatus).toBe('deployed');
    expect((await storageStage(w, 'gpu-managed')).detail).toBe(`secret ${STORAGE_SECRET_NAME}: added postgres_port, opensearch_host, opensearch_port, prometheus_url; existing keys kept`);
    expect(decoded(liveSecret(w, 'lens-gpu-managed'))).toEqual({
      ...live, postgres_port: '5432', opensearch_host: 'primus-lens-opensearch.lens-gpu-managed.svc', opensearch_port: '9200',
      prometheus_url: 'http://primus-lens-victoria-metrics.lens-gpu-managed.svc:8428',
    });
  });

  it('a live Secret declaring another storage mode fails the stage and is left untouched', async () => {
    const w = await start();
    await addTarget(w, 'gpu-mismatch', 'lens-managed');
    putStorageSecret(w, 'lens-gpu-mismatch', externalStorage('gpu-mismatch'));
    await w.dataplane.service.trigger('gpu-mismatch');
    const view = await waitForInstall(w, 'gpu-mismatch', installEnded);
    expect(view.dataplaneStatus).toBe('failed');
    expect((await storageStage(w, 'gpu-mismatch')).error).toContain('declares storage_mode "external", but this install is lens-managed');
    expect(decoded(liveSecret(w, 'lens-gpu-mismatch'))).toEqual(externalStorage('gpu-mismatch'));
  });

  it('a cluster with neither a storage Secret nor a storage mode is refused at trigger, with what to do; nothing is queued', async () => {
    const w = await start();
    await w.dataplane.service.addCluster({ name: 'gpu-unknown', kubeServer: w.cluster.url, credentials: { token: CLUSTER_TOKEN }, namespace: 'lens-gpu-unknown' });
    const report = await syncStorageConfigs({ db: w.engine.db, secrets: w.secrets, kubeFactory: w.dataplane.kubeFactory });
    expect(report.skipped).toEqual(['gpu-unknown']);
    await expect(w.dataplane.service.trigger('gpu-unknown')).rejects.toMatchObject({
      code: 'VALIDATION',
      message: `cluster "gpu-unknown" has no storage mode: storage sync has not found its ${STORAGE_SECRET_NAME} Secret, and none was chosen`,
      hint: expect.stringContaining('fleetdeck dataplane storage-mode gpu-unknown lens-managed'),
    });
    const view = await w.dataplane.service.show('gpu-unknown');
    expect(view).toMatchObject({ dataplaneStatus: 'pending', storageMode: null, task: null, history: [] });
    // Once the operator's Secret is there, storage sync decides external (the seed's rule) and the deploy goes through.
    putStorageSecret(w, 'lens-gpu-unknown', { ...externalStorage('gpu-unknown'), storage_mode: '' });
    await syncStorageConfigs({ db: w.engine.db, secrets: w.secrets, kubeFactory: w.dataplane.kubeFactory });
    expect((await w.dataplane.service.trigger('gpu-unknown')).storageMode).toBe('external');
  });
});
