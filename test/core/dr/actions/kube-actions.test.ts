import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionFailure, jobState, markOf, runClusternetAction, runJobAction, runResourceAction, type ActionContext } from '../../../../core/dr/actions/index.js';
import { withMark } from '../../../../core/dr/actions/ownership.js';
import { DrService } from '../../../../core/dr/dr-service.js';
import { jobNameFor } from '../../../../core/dr/render/outputs.js';
import type { Action, ActionOutputs } from '../../../../core/dr/schema/types.js';
import { createKubeGateway, type KubeGateway } from '../../../../core/kube/index.js';
import { startClusternetStatus, type ClusternetSimulator } from '../../../../src/sandbox/dr/clusternet-status.js';
import { ensureClusternetCrds } from '../../../../src/sandbox/dr/clusternet-crds.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../../src/sandbox/kube-api/index.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { planYaml } from '../executor/support.js';

function gatewayTo(cluster: SandboxCluster): KubeGateway {
  return createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: cluster.name, url: cluster.url }]), context: cluster.name });
}

const jobSpec = { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } };
const jobAction = (name: string, timeout?: string): Action => ({ name, type: 'Job', ...(timeout ? { timeout } : {}), job: { namespace: 'default', template: { spec: jobSpec } } });

/** A handler context against a cluster, recording what the handler persists. */
function contextFor(kube: KubeGateway, executionId: string, signal: AbortSignal = AbortSignal.timeout(20_000)): ActionContext & { recorded: ActionOutputs[] } {
  const recorded: ActionOutputs[] = [];
  return { planName: 'drill', executionId, actionKey: 'main/default/drill/action', signal, timeoutMs: 20_000, previous: {}, kube: async () => kube, record: async (o) => { recorded.push(structuredClone(o)); }, recorded };
}

describe('Job, Clusternet and KubernetesResource actions against the sandbox API server', () => {
  let cluster: SandboxCluster;
  let still: SandboxCluster;
  let kube: KubeGateway;
  let simulator: ClusternetSimulator;
  const created = new Map<string, number>();

  beforeAll(async () => {
    cluster = await startSandboxCluster({ name: 'devops', controller: { jobDelayMs: 200 } });
    // A cluster whose Jobs never finish and whose Clusternet objects never get a status.
    still = await startSandboxCluster({ name: 'still', controller: false });
    kube = gatewayTo(cluster);
    await ensureClusternetCrds(kube);
    await ensureClusternetCrds(gatewayTo(still));
    simulator = startClusternetStatus(cluster, { delayMs: 300 });
    cluster.store.subscribe((e) => {
      if (e.type === 'ADDED') created.set(`${e.resource}/${e.object.metadata.name ?? ''}`, (created.get(`${e.resource}/${e.object.metadata.name ?? ''}`) ?? 0) + 1);
    });
    cluster.objects.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } });
  }, 60_000);
  afterAll(async () => { simulator?.stop(); await cluster?.stop(); await still?.stop(); });

  describe('Job (seed 004 state mapping)', () => {
    it('creates the Job under its deterministic name, records it before creating it, and succeeds when succeeded ≥ 1', async () => {
      const ctx = contextFor(kube, 'exec-ok');
      const outputs = await runJobAction(jobAction('sync'), ctx);
      const name = jobNameFor('drill', 'sync', 'exec-ok');
      expect(outputs.jobRef).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', name, namespace: 'default', uid: expect.any(String) });
      expect(ctx.recorded[0]!.jobRef).toEqual({ apiVersion: 'batch/v1', kind: 'Job', name, namespace: 'default' });
      const job = cluster.objects.get({ apiVersion: 'batch/v1', kind: 'Job', name, namespace: 'default' })!;
      expect((job.status as { succeeded?: number }).succeeded).toBe(1);
      expect(created.get(`batch/jobs/${name}`)).toBe(1);
    });

    it('fails when failed ≥ 1, with the Job\'s reason', async () => {
      const name = jobNameFor('drill', 'broken', 'exec-fail');
      const unsubscribe = cluster.store.subscribe((e) => {
        if (e.type === 'ADDED' && e.object.metadata.name === name) setImmediate(() => cluster.objects.setFailure({ apiVersion: 'batch/v1', kind: 'Job', name, namespace: 'default' }, true));
      });
      try {
        const error = await runJobAction(jobAction('broken'), contextFor(kube, 'exec-fail')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ActionFailure);
        expect((error as ActionFailure).message).toBe(`Job default/${name} failed: BackoffLimitExceeded: Job has reached the specified backoff limit`);
        expect((error as ActionFailure).outputs.jobRef?.name).toBe(name);
      } finally {
        unsubscribe();
      }
    });

    it('re-attaches to the Job an earlier process created instead of creating another', async () => {
      const name = jobNameFor('drill', 'sync', 'exec-resumed');
      const ctx = contextFor(kube, 'exec-resumed');
      const first = cluster.objects.put(withMark({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec: jobSpec }, markOf(ctx, 'sync')));
      const outputs = await runJobAction(jobAction('sync'), ctx);
      expect(outputs.jobRef?.uid).toBe(first.metadata.uid);
      expect(created.get(`batch/jobs/${name}`)).toBe(1);
    });

    it('never takes over a Job under its name that this action did not create', async () => {
      const name = jobNameFor('drill', 'sync', 'exec-squatted');
      const squatter = cluster.objects.put({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default', labels: { team: 'ops' } }, spec: jobSpec });
      const error = await runJobAction(jobAction('sync'), contextFor(kube, 'exec-squatted')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActionFailure);
      expect((error as ActionFailure).message).toBe(`Job default/${name} already exists (AlreadyExists): it was not created by a DR execution; it was left untouched`);
      const after = cluster.objects.get({ apiVersion: 'batch/v1', kind: 'Job', name, namespace: 'default' })!;
      expect(after.metadata.uid).toBe(squatter.metadata.uid);
      expect(after.metadata.labels).toEqual({ team: 'ops' });
    });

    it('reads a failed pod within the Job\'s backoffLimit as still running (the Job controller retries it)', () => {
      const job = (spec: Record<string, unknown>, status: Record<string, unknown>) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec, status });
      expect(jobState(job({}, { active: 1, failed: 1 }))).toBe('Running');
      expect(jobState(job({ backoffLimit: 2 }, { failed: 2 }))).toBe('Running');
      expect(jobState(job({ backoffLimit: 2 }, { failed: 3 }))).toBe('Failed');
      expect(jobState(job({ backoffLimit: 0 }, { failed: 1 }))).toBe('Failed');
      expect(jobState(job({}, { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] }))).toBe('Failed');
      expect(jobState(job({ completions: 2 }, { succeeded: 1, active: 1 }))).toBe('Running');
      expect(jobState(job({ completions: 2 }, { succeeded: 2 }))).toBe('Succeeded');
      expect(jobState(job({}, { succeeded: 1 }))).toBe('Succeeded');
    });

    it('a Job that does not finish within the action\'s timeout fails the action as a timeout and is stopped in the cluster', async () => {
      const test: TestDatabase = await openTestDatabase('pglite');
      try {
        const dr = new DrService({ db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, kube: async () => gatewayTo(still), secrets: null, planClusters: [] });
        await dr.apply(planYaml('slowjob', [jobAction('wait', '600ms')]), 'slowjob.yaml');
        const exec = await dr.startExecute('slowjob');
        const started = Date.now();
        expect((await dr.run(exec.id)).execution.phase).toBe('Failed');
        expect(Date.now() - started).toBeGreaterThanOrEqual(550);
        const [action] = (await dr.status(exec.id)).actions;
        const name = jobNameFor('slowjob', 'wait', exec.id);
        expect(action).toMatchObject({ phase: 'Failed', error: `timed out after 600ms (timeout); Job default/${name} was stopped (deleted with its pods)` });
        expect(action!.outputs.jobRef?.name).toBe(name);
        expect(still.objects.get({ apiVersion: 'batch/v1', kind: 'Job', name, namespace: 'default' })).toBeUndefined();
      } finally {
        await test.close();
      }
    });
  });

  describe('Localization and Subscription (status watched)', () => {
    const localization = (name: string, feed: string, extra: Partial<Action> = {}): Action => ({
      name, type: 'Localization', ...extra,
      localization: { name, namespace: 'default', spec: { priority: 500, feed: { apiVersion: 'apps/v1', kind: 'Deployment', name: feed, namespace: 'default' }, overrides: [] } },
    });
    const subscription = (name: string, feed: string): Action => ({
      name, type: 'Subscription',
      subscription: { name, namespace: 'default', spec: { schedulingStrategy: 'Replication', feeds: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: feed, namespace: 'default' }], subscribers: [{ clusterAffinity: { matchLabels: { dr: 'yes' } } }] } },
    });

    it('a Localization succeeds only once Clusternet reports it Ready, and records its reference first', async () => {
      const ctx = contextFor(kube, 'loc-ok');
      const started = Date.now();
      const outputs = await runClusternetAction(localization('web-dr', 'web'), ctx);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(outputs.localizationRef).toMatchObject({ apiVersion: 'apps.clusternet.io/v1alpha1', kind: 'Localization', name: 'web-dr', namespace: 'default' });
      expect(ctx.recorded[0]!.localizationRef?.name).toBe('web-dr');
      const object = cluster.objects.get({ apiVersion: 'apps.clusternet.io/v1alpha1', kind: 'Localization', name: 'web-dr', namespace: 'default' })!;
      expect((object.status as { conditions: { type: string; status: string }[] }).conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    });

    it('a Localization that Clusternet reports not Ready fails with its reason, keeping the reference for rollback', async () => {
      const error = await runClusternetAction(localization('ghost-dr', 'ghost'), contextFor(kube, 'loc-fail')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActionFailure);
      expect((error as ActionFailure).message).toBe('Localization ghost-dr: Ready is False (FeedNotFound): feed Deployment default/ghost not found');
      expect((error as ActionFailure).outputs.localizationRef?.name).toBe('ghost-dr');
    });

    it('a Subscription succeeds when its releases are complete and fails when its feed is missing', async () => {
      const ok = await runClusternetAction(subscription('web-sub', 'web'), contextFor(kube, 'sub-ok'));
      expect(ok.subscriptionRef?.name).toBe('web-sub');
      const status = cluster.objects.get({ apiVersion: 'apps.clusternet.io/v1alpha1', kind: 'Subscription', name: 'web-sub', namespace: 'default' })!.status as Record<string, unknown>;
      expect(status).toMatchObject({ desiredReleases: 1, completedReleases: 1 });
      await expect(runClusternetAction(subscription('ghost-sub', 'ghost'), contextFor(kube, 'sub-fail'))).rejects.toThrow('Subscription ghost-sub: Ready is False (FeedNotFound)');
    });

    it('keeps watching until the action times out when no status comes, unless waitReady is false', async () => {
      const stillKube = gatewayTo(still);
      const signal = AbortSignal.timeout(500);
      const started = Date.now();
      await expect(runClusternetAction(localization('waits', 'web'), contextFor(stillKube, 'loc-wait', signal))).rejects.toThrow();
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      const outputs = await runClusternetAction(localization('fire-and-forget', 'web', { waitReady: false }), contextFor(stillKube, 'loc-nowait'));
      expect(outputs.localizationRef?.name).toBe('fire-and-forget');
    });
  });

  describe('KubernetesResource', () => {
    it('creates (idempotently on resume), applies and deletes the object its manifest describes', async () => {
      const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dr-mode\n  namespace: default\ndata:\n  mode: active\n';
      const action = (operation: 'Create' | 'Apply' | 'Delete', text = manifest): Action => ({ name: 'mode', type: 'KubernetesResource', resource: { operation, manifest: text } });
      const first = await runResourceAction(action('Create'), contextFor(kube, 'r1'));
      expect(first.resourceRef).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dr-mode', namespace: 'default' });
      const again = await runResourceAction(action('Create'), contextFor(kube, 'r1'));
      expect(again.resourceRef?.uid).toBe(first.resourceRef?.uid);
      await runResourceAction(action('Apply', manifest.replace('active', 'standby')), contextFor(kube, 'r2'));
      expect(cluster.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dr-mode', namespace: 'default' })?.data).toEqual({ mode: 'standby' });
      await runResourceAction(action('Delete'), contextFor(kube, 'r3'));
      expect(cluster.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dr-mode', namespace: 'default' })).toBeUndefined();
      await expect(runResourceAction(action('Create', 'kind: ConfigMap\n'), contextFor(kube, 'r4'))).rejects.toThrow('the manifest needs apiVersion, kind and metadata.name');
    });

    it('a Create never takes over an object it did not create: AlreadyExists, and the object is left as it was', async () => {
      const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dr-owned\n  namespace: default\ndata:\n  mode: active\n';
      const create: Action = { name: 'owned', type: 'KubernetesResource', resource: { operation: 'Create', manifest } };
      cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dr-owned', namespace: 'default' }, data: { mode: 'operator' } });
      const foreign = await runResourceAction(create, contextFor(kube, 'o1')).catch((e: unknown) => e);
      expect((foreign as ActionFailure).message).toBe('ConfigMap default/dr-owned already exists (AlreadyExists): it was not created by a DR execution; it was left untouched');
      expect((foreign as ActionFailure).hint).toMatch(/Delete ConfigMap default\/dr-owned if it is stale/);
      expect(cluster.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dr-owned', namespace: 'default' })?.data).toEqual({ mode: 'operator' });

      // Created by another execution: named, with the revert to run.
      cluster.objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dr-owned', namespace: 'default' });
      const first = await runResourceAction(create, contextFor(kube, 'o2'));
      expect(cluster.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'dr-owned', namespace: 'default' })?.metadata.labels)
        .toMatchObject({ 'fleetdeck.io/dr-execution': 'o2', 'fleetdeck.io/dr-plan': 'drill', 'fleetdeck.io/dr-action': 'owned' });
      const other = await runResourceAction(create, contextFor(kube, 'o3')).catch((e: unknown) => e);
      expect((other as ActionFailure).message).toContain('execution o2 created it');
      expect((other as ActionFailure).hint).toContain('revert execution o2');
      // The same action of the same execution, resumed, adopts what it created.
      expect((await runResourceAction(create, contextFor(kube, 'o2'))).resourceRef?.uid).toBe(first.resourceRef?.uid);
    });
  });
});
