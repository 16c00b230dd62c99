import { afterEach, describe, expect, it } from 'vitest';
import { EXTERNAL_STAGES, LENS_MANAGED_STAGES, RELEASES, STORAGE_SECRET_NAME } from '../../../core/dataplane/index.js';
import type { InstallScheduler } from '../../../core/dataplane/index.js';
import { FAIL_ANNOTATION } from '../../../src/sandbox/kube-api/index.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import type { KubeObject } from '../../../core/kube/types.js';
import type { World } from './world.js';
import { addTarget, externalStorage, installEnded, openWorld, waitForInstall } from './world.js';

function decoded(secret: KubeObject | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries((secret?.['data'] ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

describe.each(DATABASE_KINDS)('install scheduler end to end with fake helm (%s)', (kind) => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await world?.close();
    world = null;
  });

  it('external mode runs the 5 seed stages in order and ends deployed', async () => {
    world = await openWorld(kind);
    await addTarget(world, 'gpu-a', 'external');
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    const queued = await world.dataplane.service.trigger('gpu-a');
    expect(queued.storageMode).toBe('external');
    const view = await waitForInstall(world, 'gpu-a', installEnded);
    expect(view.dataplaneStatus).toBe('deployed');
    expect(view.task?.status).toBe('completed');
    expect(view.task?.stages.map((s) => s.name)).toEqual([...EXTERNAL_STAGES]);
    // StageInit: external storage needs no init; StageStorageSecret: the operator's Secret is complete and left alone.
    expect(view.task?.stages.map((s) => s.status)).toEqual(['skipped', 'completed', 'skipped', 'completed', 'completed']);
    const releases = world.helm.releases();
    expect(Object.keys(releases).sort()).toEqual([`lens-gpu-a/${RELEASES.applications}`, `lens-gpu-a/${RELEASES.migration}`]);
    const secret = world.cluster.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'lens-gpu-a', name: STORAGE_SECRET_NAME });
    expect(decoded(secret)).toEqual(externalStorage('gpu-a'));
    const upgrades = world.helm.calls().filter((c) => c[1] === 'upgrade').map((c) => c[3]);
    expect(upgrades).toEqual([RELEASES.migration, RELEASES.applications]);
    // helm's output is kept per stage, redacted.
    const apps = view.task!.stages.find((s) => s.name === 'StageApplications')!;
    expect(apps.output).toContain(`NAME: ${RELEASES.applications}`);
  });

  it('lens-managed mode runs the 9 seed stages in order; a second deploy skips every deployed release', async () => {
    world = await openWorld(kind);
    await addTarget(world, 'gpu-b', 'lens-managed');
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    await world.dataplane.service.trigger('gpu-b');
    const first = await waitForInstall(world, 'gpu-b', installEnded);
    expect(first.dataplaneStatus).toBe('deployed');
    expect(first.task?.stages.map((s) => s.name)).toEqual([...LENS_MANAGED_STAGES]);
    expect(first.task?.stages.every((s) => s.status === 'completed')).toBe(true);
    const upgradesBefore = world.helm.calls().filter((c) => c[1] === 'upgrade').length;
    expect(upgradesBefore).toBe(5);

    const again = await world.dataplane.service.trigger('gpu-b');
    const second = await waitForInstall(world, 'gpu-b', (v) => v.task?.id === again.taskId && installEnded(v));
    expect(second.dataplaneStatus).toBe('deployed');
    expect(world.helm.calls().filter((c) => c[1] === 'upgrade').length).toBe(upgradesBefore);
    const helmStages = second.task!.stages.filter((s) => ['StageOperators', 'StageInfrastructure', 'StageInit', 'StageDatabaseMigration', 'StageApplications'].includes(s.name));
    expect(helmStages.every((s) => s.status === 'skipped' && /already deployed \(revision 1, \w+-0\.1\.0\)/.test(s.detail ?? ''))).toBe(true);
    expect(second.history.map((h) => h.status)).toEqual(['completed', 'completed']);

    // Same values, newer chart: pinning a chart version is an upgrade, not "already deployed".
    await world.dataplane.service.addCluster({ name: 'gpu-b', helmValues: { charts: { [RELEASES.applications]: { chart: 'primus-lens/applications', version: '0.2.0' } } } });
    const third = await world.dataplane.service.trigger('gpu-b');
    const upgraded = await waitForInstall(world, 'gpu-b', (v) => v.task?.id === third.taskId && installEnded(v));
    expect(upgraded.dataplaneStatus).toBe('deployed');
    expect(upgraded.task!.stages.find((s) => s.name === 'StageApplications')?.detail).toBe(`${RELEASES.applications} upgraded to applications-0.2.0 (revision 2)`);
    const lastUpgrades = world.helm.calls().filter((c) => c[1] === 'upgrade').slice(upgradesBefore);
    expect(lastUpgrades.map((c) => [c[3], c[c.indexOf('--version') + 1]])).toEqual([[RELEASES.applications, '0.2.0']]);
    expect(world.helm.releases()[`lens-gpu-b/${RELEASES.applications}`]).toMatchObject({ revision: 2, status: 'deployed', chartVersion: '0.2.0' });
  });

  it('a failing stage is retried with backoff (base × 2^n), then fails with the error; `installs retry` resumes at the failed stage', async () => {
    // The chart fails its first 4 installs: the first attempt and 3 retries.
    world = await openWorld(kind, { helmEnv: { FAKE_HELM_FAIL: RELEASES.applications, FAKE_HELM_FAIL_COUNT: '4' },
      dataplane: { scheduler: { pollMs: 1000, staleMs: 3000, backoffBaseMs: 300 } } });
    await addTarget(world, 'gpu-c', 'external');
    const retrying: { at: number; next: number; retryCount: number }[] = [];
    const attemptsStarted: { at: number; attempt: number }[] = [];
    world.engine.events.subscribe((event) => {
      const data = (event.data ?? {}) as { nextAttemptAt?: string; retryCount?: number; attempt?: number };
      if (event.type === 'task.retrying') retrying.push({ at: Date.now(), next: Date.parse(data.nextAttemptAt!), retryCount: data.retryCount! });
      if (event.type === 'task.stage' && data.attempt !== undefined) attemptsStarted.push({ at: Date.now(), attempt: data.attempt });
    }, ['installs']);
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    await world.dataplane.service.trigger('gpu-c');
    const view = await waitForInstall(world, 'gpu-c', installEnded);
    expect(view.dataplaneStatus).toBe('failed');
    expect(view.task?.status).toBe('failed');
    expect(view.task?.retryCount).toBe(3);
    expect(view.task?.errorMessage).toMatch(/^StageApplications: helm upgrade --install primus-lens-apps failed/);
    const apps = view.task!.stages.find((s) => s.name === 'StageApplications')!;
    expect(apps.status).toBe('failed');
    expect(apps.attempts).toBe(4);
    expect(apps.output).toContain('UPGRADE FAILED');
    // Completed stages were not run again on retry.
    expect(view.task!.stages.find((s) => s.name === 'StageDatabaseMigration')!.attempts).toBe(1);
    expect(view.history[0]?.status).toBe('failed');

    // Backoff: each retry is scheduled base × 2^n after the failure (300, 600, 1200 ms), and not claimed before.
    expect(retrying.map((r) => r.retryCount)).toEqual([1, 2, 3]);
    retrying.forEach((r, n) => {
      const delay = r.next - r.at;
      expect(delay).toBeGreaterThan(300 * 2 ** n - 150);
      expect(delay).toBeLessThanOrEqual(300 * 2 ** n + 50);
      const claim = attemptsStarted.find((a) => a.attempt === n + 2);
      expect(claim, `attempt ${n + 2} started`).toBeDefined();
      expect(claim!.at).toBeGreaterThanOrEqual(r.next - 20);
    });

    const retried = await world.dataplane.service.retry('gpu-c');
    expect(retried.taskId).toBe(view.task!.id);
    const after = await waitForInstall(world, 'gpu-c', installEnded);
    expect(after.dataplaneStatus).toBe('deployed');
    expect(after.task!.stages.find((s) => s.name === 'StageDatabaseMigration')!.attempts).toBe(1);
    expect(after.task!.stages.find((s) => s.name === 'StageApplications')!.attempts).toBe(5);
    expect(after.history.map((h) => `${h.action}:${h.status}`)).toEqual(['retry:completed', 'deploy:failed']);
  });
});

describe('install runners and fail-fast (pglite)', () => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await world?.close();
    world = null;
  });

  it('a crash-looping pod fails its wait stage at once instead of waiting out the stage timeout', async () => {
    world = await openWorld('pglite', { dataplane: { timeouts: { default: 600_000 } } });
    await addTarget(world, 'gpu-crashloop', 'external');
    world.cluster.objects.put({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'lens-api', namespace: 'lens-gpu-crashloop', labels: { 'app.kubernetes.io/instance': RELEASES.applications }, annotations: { [FAIL_ANNOTATION]: 'true' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'lens-api' } }, template: { metadata: { labels: { app: 'lens-api', 'app.kubernetes.io/instance': RELEASES.applications } }, spec: { containers: [{ name: 'api', image: 'lens/api:1' }] } } },
    });
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    await world.dataplane.service.trigger('gpu-crashloop');
    const view = await waitForInstall(world, 'gpu-crashloop', installEnded, 120_000);
    expect(view.dataplaneStatus).toBe('failed');
    expect(view.task?.errorMessage).toMatch(/CrashLoopBackOff/);
    expect(view.task?.stages.find((s) => s.status === 'failed')?.name).toMatch(/StageApplications|StageWaitApps/);
  }, 150_000);

  it('a pod that cannot pull its image fails the stage at once (ImagePullBackOff) instead of waiting out the stage timeout', async () => {
    world = await openWorld('pglite', { dataplane: { timeouts: { default: 600_000 } } });
    await addTarget(world, 'gpu-imagepull', 'external');
    const ns = 'lens-gpu-imagepull';
    const pod = 'lens-api-5c9d7-x2k4q';
    const image = 'registry.example/lens/api:no-such-tag';
    // What the kubelet reports for a container whose image cannot be pulled.
    world.cluster.objects.put({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: pod, namespace: ns, labels: { app: 'lens-api', 'app.kubernetes.io/instance': RELEASES.applications } },
      spec: { containers: [{ name: 'api', image }] },
    });
    world.cluster.objects.putStatus({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod }, {
      phase: 'Pending',
      containerStatuses: [{ name: 'api', image, imageID: '', ready: false, started: false, restartCount: 0,
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } }],
    });
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    const started = Date.now();
    await world.dataplane.service.trigger('gpu-imagepull');
    const view = await waitForInstall(world, 'gpu-imagepull', installEnded, 60_000);
    // Four attempts (1 + 3 retries), each ended by the pod check, not by the 10-minute stage timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(view.dataplaneStatus).toBe('failed');
    expect(view.task).toMatchObject({ status: 'failed', retryCount: 3 });
    expect(view.task?.errorMessage).toMatch(new RegExp(`^(StageApplications|StageWaitApps): release ${RELEASES.applications} cannot become ready: pod ${pod} \\(api\\): ImagePullBackOff$`));
    const failed = view.task!.stages.find((s) => s.status === 'failed')!;
    expect(failed.name).toMatch(/StageApplications|StageWaitApps/);
    expect(failed.error).toContain(`pod ${pod} (api): ImagePullBackOff`);
  }, 90_000);

  it('a workload that never becomes ready fails the wait stage at its own timeout, saying what it waited for; earlier stages are not re-run', async () => {
    // Pods take 10 minutes to start here: the applications' Deployment stays unready. StageWaitApps gets 1 s.
    world = await openWorld('pglite', { controller: { podStartMs: 600_000 },
      dataplane: { timeouts: { default: 15_000, perStage: { StageWaitApps: 1000 } } } });
    await addTarget(world, 'gpu-slow', 'external');
    world.cluster.objects.put({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'lens-api', namespace: 'lens-gpu-slow', labels: { 'app.kubernetes.io/instance': RELEASES.applications } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'lens-api' } }, template: { metadata: { labels: { app: 'lens-api', 'app.kubernetes.io/instance': RELEASES.applications } }, spec: { containers: [{ name: 'api', image: 'lens/api:1' }] } } },
    });
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    await world.dataplane.service.trigger('gpu-slow');
    const view = await waitForInstall(world, 'gpu-slow', installEnded, 60_000);
    expect(view.dataplaneStatus).toBe('failed');
    expect(view.task).toMatchObject({ status: 'failed', retryCount: 3 });
    expect(view.task?.errorMessage).toBe(`StageWaitApps: ${RELEASES.applications} was not ready within 1 s (waiting for Deployment/lens-api)`);
    const wait = view.task!.stages.find((s) => s.name === 'StageWaitApps')!;
    expect(wait).toMatchObject({ status: 'failed', attempts: 4 });
    expect(wait.error).toBe(view.task?.errorMessage);
    // The last attempt waited its own 1 s (not the 15 s default) before giving up.
    const waited = Date.parse(wait.finishedAt!) - Date.parse(wait.startedAt!);
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5000);
    // The retries went straight back to the wait: the applications were installed once.
    expect(view.task!.stages.find((s) => s.name === 'StageApplications')).toMatchObject({ status: 'completed', attempts: 1 });
    expect(world.helm.calls().filter((c) => c[1] === 'upgrade' && c[3] === RELEASES.applications)).toHaveLength(1);
    expect(view.history[0]).toMatchObject({ status: 'failed', errorMessage: view.task?.errorMessage });
  }, 90_000);

  it('the Job runner creates primus-lens-installer-<task> with backoffLimit 0 and TASK_ID; an installer that reports no progress is done when its Job completes', async () => {
    world = await openWorld('pglite', { dataplane: { taskRunner: 'job', job: { pollMs: 200 } } });
    await addTarget(world, 'gpu-job', 'lens-managed');
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    const { taskId } = await world.dataplane.service.trigger('gpu-job');
    const view = await waitForInstall(world, 'gpu-job', installEnded);
    expect(view.dataplaneStatus).toBe('deployed');
    expect(view.task?.jobName).toBe(`primus-lens-installer-${taskId}`);
    expect(view.task?.stages.every((s) => s.status === 'completed' && s.detail === `done by Job primus-lens-installer-${taskId}`)).toBe(true);
    const job = world.cluster.objects.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'lens-gpu-job', name: `primus-lens-installer-${taskId}` });
    const spec = job?.['spec'] as { backoffLimit: number; ttlSecondsAfterFinished: number; activeDeadlineSeconds: number; template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
    expect(spec.backoffLimit).toBe(0);
    expect(spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(spec.template.spec.containers[0]!.env).toEqual(expect.arrayContaining([{ name: 'TASK_ID', value: String(taskId) }, { name: 'CLUSTER_NAME', value: 'gpu-job' }]));
    expect(world.helm.calls()).toEqual([]);
  });

  it('a failed installer Job fails the task with the Job\'s reason after the retries', async () => {
    world = await openWorld('pglite', { dataplane: { taskRunner: 'job', job: { pollMs: 200, jobAnnotations: { [FAIL_ANNOTATION]: 'true' } } } });
    await addTarget(world, 'gpu-jobfail', 'external');
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    await world.dataplane.service.trigger('gpu-jobfail');
    const view = await waitForInstall(world, 'gpu-jobfail', installEnded, 90_000);
    expect(view.dataplaneStatus).toBe('failed');
    expect(view.task?.errorMessage).toMatch(/installer Job primus-lens-installer-\d+ failed \(BackoffLimitExceeded/);
    expect(view.task?.retryCount).toBe(3);
    // The failure came from the Job, not from a stage: the stage the claim started is closed as failed, not left running.
    expect(view.task?.stages.map((s) => s.status)).toEqual(['failed', 'pending', 'pending', 'pending', 'pending']);
    expect(view.task?.stages[0]?.error).toMatch(/BackoffLimitExceeded/);
  }, 120_000);
});
