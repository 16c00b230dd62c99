import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataplaneService, RELEASES, progressConfigMapName, readProgress } from '../../../core/dataplane/index.js';
import type { InstallScheduler, InstallView } from '../../../core/dataplane/index.js';
import type { KubeObject } from '../../../core/kube/types.js';
import { installSandboxHelm } from '../../../src/sandbox/helm/sandbox-helm.js';
import { runInstallerPods } from '../../../src/sandbox/helm/installer-pods.js';
import type { InstallerPods } from '../../../src/sandbox/helm/installer-pods.js';
import { kubeconfigFor } from '../../../src/sandbox/kube-api/index.js';
import { worldLayout } from '../../../src/sandbox/world/world-file.js';
import { TEST_ACTOR } from '../../support/engine.js';
import type { World } from './world.js';
import { CLUSTER_TOKEN, addTarget, installEnded, openWorld } from './world.js';

/**
 * The Job runner end to end against a sandbox cluster: the scheduler creates the installer Job (ServiceAccount and
 * RBAC first), a sandbox node runs its container — `fleetdeck dataplane installer` with the sandbox helm — and the
 * Job ends when that process exits (the controller's own timer is set far away). Progress comes back live through
 * the progress ConfigMap.
 */
describe('the Job runner, end to end in the sandbox (pglite)', () => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  let pods: InstallerPods | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    await pods?.stop();
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    scheduler = null;
    pods = null;
    world = null;
    dir = null;
  });

  async function start(): Promise<World> {
    world = await openWorld('pglite', {
      controller: { jobDelayMs: 600_000 },
      dataplane: { taskRunner: 'job', job: { pollMs: 250 }, timeouts: { default: 60_000 }, pollMs: 150, scheduler: { pollMs: 1000, staleMs: 5000, backoffBaseMs: 100 } },
    });
    dir = mkdtempSync(join(tmpdir(), 'fleetdeck-job-runner-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor([{ context: 'lens-target', url: world.cluster.url, token: CLUSTER_TOKEN }]), { mode: 0o600 });
    pods = runInstallerPods({ cluster: world.cluster, kubeconfig, helmBin: installSandboxHelm(worldLayout(dir)) });
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    return world;
  }

  const jobOf = (w: World, ns: string, taskId: number): KubeObject | undefined =>
    w.cluster.objects.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name: `primus-lens-installer-${taskId}` });
  const jobDone = (job: KubeObject | undefined): boolean =>
    JSON.stringify((job?.['status'] as { conditions?: unknown } | undefined)?.conditions ?? []).includes('"Complete"');

  it('installs through the Job: RBAC made if missing, the task mounted from a Secret, stages moving live, helm output and the pod log kept', async () => {
    const w = await start();
    await addTarget(w, 'gpu-job', 'external');
    const ns = 'lens-gpu-job';
    const { taskId } = await w.dataplane.service.trigger('gpu-job');
    // Live: a stage is recorded done in the database while its Job is still running.
    let live: { stage: string; jobComplete: boolean } | null = null;
    let view: InstallView;
    const deadline = Date.now() + 120_000;
    for (;;) {
      view = await w.dataplane.service.show('gpu-job');
      const done = view.task?.stages.find((s) => s.status === 'completed');
      if (done && !live) live = { stage: done.name, jobComplete: jobDone(jobOf(w, ns, taskId)) };
      if (installEnded(view)) break;
      if (Date.now() > deadline) throw new Error(`the Job install did not finish: ${JSON.stringify(view.task)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(view.dataplaneStatus).toBe('deployed');
    expect(live).toEqual({ stage: 'StageDatabaseMigration', jobComplete: false });
    expect(view.task).toMatchObject({ runner: 'job', status: 'completed', jobName: `primus-lens-installer-${taskId}` });
    expect(view.task!.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'StageInit:skipped', 'StageDatabaseMigration:completed', 'StageStorageSecret:skipped', 'StageApplications:completed', 'StageWaitApps:completed']);
    expect(view.task!.stages.find((s) => s.name === 'StageApplications')?.detail).toBe(`${RELEASES.applications} installed (revision 1)`);
    expect(view.task!.stages.find((s) => s.name === 'StageApplications')?.output).toContain(`NAME: ${RELEASES.applications}`);

    // What the Job needed, made before it: ServiceAccount and cluster-admin binding; the task in a mounted Secret.
    expect(w.cluster.objects.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: ns, name: 'primus-lens-installer' })).toBeDefined();
    const binding = w.cluster.objects.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: `primus-lens-installer-${ns}` });
    expect(binding?.['roleRef']).toMatchObject({ kind: 'ClusterRole', name: 'cluster-admin' });
    expect(binding?.['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'primus-lens-installer', namespace: ns }]);
    const pod = (jobOf(w, ns, taskId)!['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(pod['serviceAccountName']).toBe('primus-lens-installer');
    expect(pod['volumes']).toEqual([{ name: 'task', secret: { secretName: `primus-lens-installer-${taskId}`, defaultMode: 0o400 } }]);
    expect(pods!.started).toHaveLength(1);
    // The task Secret carried storage passwords: gone once the Job is done. The progress ConfigMap says how it ended.
    expect(w.cluster.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: `primus-lens-installer-${taskId}` })).toBeUndefined();
    const progress = readProgress(w.cluster.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: progressConfigMapName(taskId) }));
    expect(progress).toMatchObject({ reporter: 'fleetdeck-installer', result: 'succeeded', error: null });

    // The installer pod's log, for `l`: its own account of each stage, with no storage password in it.
    expect(view.task!.jobLog).toContain('StageApplications: completed');
    expect(view.task!.jobLog).toContain('install complete');
    expect(JSON.stringify(view)).not.toContain('canary-pg-gpu-job');
    // helm ran in the Job (the sandbox helm wrote Helm's release Secrets), never on this machine.
    const releases = w.cluster.objects.list('v1', 'Secret', ns).filter((s) => s.metadata.labels?.['owner'] === 'helm').map((s) => s.metadata.name).sort();
    expect(releases).toEqual([`sh.helm.release.v1.${RELEASES.applications}.v1`, `sh.helm.release.v1.${RELEASES.migration}.v1`]);
    expect(w.helm.calls()).toEqual([]);
  }, 180_000);

  it('a stage failing inside the Job fails the task with that stage\'s error and output, reported through the progress ConfigMap', async () => {
    const w = await start();
    await addTarget(w, 'gpu-jobfail', 'external', { [RELEASES.applications]: { sandbox: { fail: true } } });
    // No retries for this task: one Job run shows it.
    const service = new DataplaneService({ db: w.engine.db, actor: TEST_ACTOR, readonly: false, relay: w.engine.relay, secrets: w.secrets, runner: 'job', maxRetries: 0 });
    await service.trigger('gpu-jobfail');
    const deadline = Date.now() + 120_000;
    let view = await service.show('gpu-jobfail');
    while (!installEnded(view)) {
      if (Date.now() > deadline) throw new Error(`the Job install did not end: ${JSON.stringify(view.task)}`);
      await new Promise((r) => setTimeout(r, 200));
      view = await service.show('gpu-jobfail');
    }
    expect(view.dataplaneStatus).toBe('failed');
    const apps = view.task!.stages.find((s) => s.name === 'StageApplications')!;
    expect(apps.status).toBe('failed');
    expect(apps.error).toMatch(/^StageApplications: helm upgrade --install primus-lens-apps failed \(exit 1\): Error: INSTALLATION FAILED: sandbox chart applications was told to fail/);
    expect(apps.output).toContain('INSTALLATION FAILED');
    expect(view.task!.stages.find((s) => s.name === 'StageDatabaseMigration')?.status).toBe('completed');
    expect(view.task!.errorMessage).toMatch(/installer Job primus-lens-installer-\d+: helm upgrade --install primus-lens-apps failed/);
    expect(view.task!.jobLog).toContain('install failed');
  }, 180_000);
});
