import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxCluster, type KubeObject, type SandboxCluster } from '../../src/sandbox/kube-api/index.js';

const started: SandboxCluster[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(options: Parameters<typeof startSandboxCluster>[0]): Promise<SandboxCluster> {
  const cluster = await startSandboxCluster(options);
  started.push(cluster);
  return cluster;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const job = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'work', annotations },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
});

const deployment = (name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'work' },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
});

function condition(obj: KubeObject | undefined, type: string): string | undefined {
  const conditions = (obj?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return conditions?.find((c) => c.type === type)?.status;
}

describe('sandbox persistence', () => {
  it('keeps objects and the resourceVersion counter across a restart from the same directory', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'fleetdeck-sandbox-state-'));
    dirs.push(stateDir);
    const first = await start({ name: 'dev', stateDir });
    first.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', namespace: 'team-a' }, data: { v: '1' } });
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'plans.dr.fleetdeck.io' },
      spec: { group: 'dr.fleetdeck.io', scope: 'Namespaced', names: { plural: 'plans', kind: 'Plan' }, versions: [{ name: 'v1', served: true, storage: true }] },
    };
    first.objects.put(crd);
    first.objects.put({ apiVersion: 'dr.fleetdeck.io/v1', kind: 'Plan', metadata: { name: 'failover', namespace: 'team-a' }, spec: { steps: 3 } });
    const rvBefore = first.store.resourceVersion;
    await first.stop();
    expect(await readdir(stateDir)).toEqual(['dev.json']);

    const second = await start({ name: 'dev', stateDir });
    expect(second.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'kept' })?.['data']).toEqual({ v: '1' });
    expect(second.objects.get({ apiVersion: 'dr.fleetdeck.io/v1', kind: 'Plan', namespace: 'team-a', name: 'failover' })?.['spec']).toEqual({ steps: 3 });
    const res = await fetch(`${second.url}/apis/dr.fleetdeck.io/v1/namespaces/team-a/plans`);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
    const next = second.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'newer', namespace: 'team-a' } });
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(rvBefore);
  });

  it('writes state shortly after a change, without waiting for stop', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'fleetdeck-sandbox-state-'));
    dirs.push(stateDir);
    const cluster = await start({ name: 'uat', stateDir });
    cluster.objects.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { a: 'b' } });
    await cluster.flush();
    const peek = await start({ name: 'uat', stateDir, port: 0, controller: false });
    expect(peek.objects.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 's' })).toBeDefined();
  });
});

describe('sandbox persistence across a kill -9', () => {
  it('keeps every write the API server answered, creates, updates and deletes, with their resourceVersions', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'fleetdeck-sandbox-crash-'));
    dirs.push(stateDir);
    const child = execa('node', [join(process.cwd(), 'dist/test/support/workers/sandbox-cluster.js'), JSON.stringify({ name: 'prod', stateDir })], { reject: false });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
      void child.then((r) => reject(new Error(`the host exited: ${String(r.stderr)}`)));
    });
    const base = `${url}/api/v1/namespaces/default/configmaps`;
    const send = async (method: string, path: string, body?: unknown): Promise<KubeObject> => {
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return (await res.json()) as KubeObject;
    };
    const answered = new Map<string, string>();
    for (let i = 0; i < 60; i += 1) {
      const created = await send('POST', '', { metadata: { name: `cm-${i}` }, data: { v: 'created' } });
      answered.set(`cm-${i}`, created.metadata.resourceVersion!);
    }
    for (let i = 0; i < 60; i += 3) {
      const updated = await send('PUT', `/cm-${i}`, { metadata: { name: `cm-${i}` }, data: { v: 'updated' } });
      answered.set(`cm-${i}`, updated.metadata.resourceVersion!);
    }
    for (let i = 1; i < 60; i += 5) {
      await send('DELETE', `/cm-${i}`);
      answered.delete(`cm-${i}`);
    }
    // Killed right after its last answer: well inside the snapshot's debounce.
    child.kill('SIGKILL');
    await child;

    const after = await start({ name: 'prod', stateDir, controller: false });
    const kept = after.store.snapshot().objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'default');
    expect(new Map(kept.map((o) => [o.metadata.name!, o.metadata.resourceVersion!]))).toEqual(answered);
    expect(kept.filter((o) => (o['data'] as { v: string }).v === 'updated').map((o) => o.metadata.name).sort())
      .toEqual(Array.from({ length: 20 }, (_, k) => `cm-${k * 3}`).filter((n) => answered.has(n)).sort());
    // The resourceVersion counter moves on from the last answered write.
    const next = after.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'default' } });
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(Math.max(...[...answered.values()].map(Number)));
    await after.stop();
    started.splice(started.indexOf(after), 1);
    expect(await readdir(stateDir)).toEqual(['prod.json']);
  });
});

describe('sandbox controller', () => {
  it('completes a Job with a pod, start and completion times', async () => {
    const cluster = await start({ name: 'jobs', controller: { jobDelayMs: 50 } });
    cluster.objects.put(job('ok'));
    const done = await until('job to complete', () => {
      const j = cluster.objects.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'work', name: 'ok' });
      return condition(j, 'Complete') === 'True' ? j : undefined;
    });
    const status = done['status'] as { succeeded: number; startTime: string; completionTime: string };
    expect(status.succeeded).toBe(1);
    expect(Date.parse(status.completionTime)).toBeGreaterThanOrEqual(Date.parse(status.startTime));
    const pods = cluster.objects.list('v1', 'Pod', 'work').filter((p) => p.metadata.labels?.['job-name'] === 'ok');
    expect(pods).toHaveLength(1);
    expect((pods[0]?.['status'] as { phase: string }).phase).toBe('Succeeded');
  });

  it('fails a Job marked with the fail annotation', async () => {
    const cluster = await start({ name: 'jobs-fail', controller: { jobDelayMs: 50 } });
    cluster.objects.put(job('bad', { 'sandbox.fleetdeck.io/fail': 'true' }));
    const failed = await until('job to fail', () => {
      const j = cluster.objects.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'work', name: 'bad' });
      return condition(j, 'Failed') === 'True' ? j : undefined;
    });
    expect((failed['status'] as { failed: number }).failed).toBe(1);
    expect(condition(failed, 'Complete')).toBeUndefined();
  });

  it('makes a Deployment available, and crash-loops its pods once told to fail', async () => {
    const cluster = await start({ name: 'deploys', controller: { podStartMs: 20 } });
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'work', name: 'api' };
    cluster.objects.put(deployment('api', 2));
    const ready = await until('deployment to be available', () => {
      const d = cluster.objects.get(ref);
      return condition(d, 'Available') === 'True' ? d : undefined;
    });
    expect(ready['status']).toMatchObject({ readyReplicas: 2, availableReplicas: 2, replicas: 2 });
    expect(cluster.objects.list('v1', 'Pod', 'work').filter((p) => p.metadata.labels?.['app'] === 'api')).toHaveLength(2);

    cluster.objects.setFailure(ref, true);
    await until('deployment to become unavailable', () => (condition(cluster.objects.get(ref), 'Available') === 'False' ? true : undefined));
    const pods = cluster.objects.list('v1', 'Pod', 'work').filter((p) => p.metadata.labels?.['app'] === 'api');
    const reasons = pods.map((p) => JSON.stringify(p['status']).includes('CrashLoopBackOff'));
    expect(reasons).toEqual([true, true]);

    cluster.objects.setFailure(ref, false);
    await until('deployment to recover', () => (condition(cluster.objects.get(ref), 'Available') === 'True' ? true : undefined));
  });

  it('gives a StatefulSet ordinal pods and ready replicas, and removes pods with their owner', async () => {
    const cluster = await start({ name: 'sts', controller: { podStartMs: 20 } });
    const sts: KubeObject = { ...deployment('db', 3), apiVersion: 'apps/v1', kind: 'StatefulSet' };
    cluster.objects.put(sts);
    await until('statefulset ready', () => {
      const s = cluster.objects.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'work', name: 'db' });
      return (s?.['status'] as { readyReplicas?: number } | undefined)?.readyReplicas === 3 ? true : undefined;
    });
    expect(cluster.objects.list('v1', 'Pod', 'work').map((p) => p.metadata.name)).toEqual(['db-0', 'db-1', 'db-2']);
    cluster.objects.delete({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'work', name: 'db' });
    expect(cluster.objects.list('v1', 'Pod', 'work')).toEqual([]);
  });
});
