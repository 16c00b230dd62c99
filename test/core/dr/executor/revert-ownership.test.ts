import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../../core/dr/dr-service.js';
import type { Action } from '../../../../core/dr/schema/types.js';
import { createKubeGateway } from '../../../../core/kube/index.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../../src/sandbox/kube-api/index.js';
import { openTestDatabase, type TestDatabase } from '../../../support/databases.js';
import { planYaml } from './support.js';

const configMap = (name: string): Action => ({
  name, type: 'KubernetesResource',
  resource: { operation: 'Create', manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  from: dr\n` },
});
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'default' });

describe('a Revert deletes only what its Execute created', () => {
  let test: TestDatabase;
  let cluster: SandboxCluster;
  let dr: DrService;

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    cluster = await startSandboxCluster({ name: 'devops', controller: false });
    const kube = createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: 'devops', url: cluster.url }]), context: 'devops' });
    dr = new DrService({ db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, kube: async () => kube, secrets: null });
  }, 60_000);
  afterAll(async () => { await cluster?.stop(); await test?.close(); });

  it('leaves alone an object someone put under the name since, and deletes the ones it made', async () => {
    await dr.apply(planYaml('owned', [configMap('dr-kept'), configMap('dr-replaced')]), 'owned.yaml');
    const exec = await dr.startExecute('owned');
    expect((await dr.run(exec.id)).execution.phase).toBe('Succeeded');
    // An operator deletes one of them and puts their own ConfigMap under its name.
    cluster.objects.delete(ref('dr-replaced'));
    const theirs = cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dr-replaced', namespace: 'default' }, data: { from: 'operator' } });

    const revert = await dr.startRevert(exec.id);
    expect((await dr.run(revert.id)).execution.phase).toBe('Succeeded');
    const steps = (await dr.status(revert.id)).actions;
    expect(steps.map((a) => [a.action, a.phase])).toEqual([['dr-replaced', 'Skipped'], ['dr-kept', 'Succeeded']]);
    expect(steps[0]!.error).toBe(`nothing of ${exec.id} left to delete: ConfigMap default/dr-replaced was left untouched: it was not created by a DR execution`);
    expect(cluster.objects.get(ref('dr-kept'))).toBeUndefined();
    expect(cluster.objects.get(ref('dr-replaced'))?.metadata.uid).toBe(theirs.metadata.uid);
    // Nothing of the Execute remains, so both of its actions count as rolled back.
    expect((await dr.status(exec.id)).actions.map((a) => a.phase)).toEqual(['RolledBack', 'RolledBack']);
  });

  it('fails an Execute whose Create meets an existing object, and its Revert leaves that object alone', async () => {
    cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dr-taken', namespace: 'default' }, data: { from: 'operator' } });
    await dr.apply(planYaml('taken', [configMap('dr-fresh'), configMap('dr-taken')]), 'taken.yaml');
    const exec = await dr.startExecute('taken');
    expect((await dr.run(exec.id)).execution.phase).toBe('Failed');
    const actions = (await dr.status(exec.id)).actions;
    expect(actions.map((a) => [a.action, a.phase])).toEqual([['dr-fresh', 'Succeeded'], ['dr-taken', 'Failed']]);
    expect(actions[1]!.error).toBe('ConfigMap default/dr-taken already exists (AlreadyExists): it was not created by a DR execution; it was left untouched');

    const revert = await dr.startRevert(exec.id);
    expect((await dr.run(revert.id)).execution.phase).toBe('Succeeded');
    expect(cluster.objects.get(ref('dr-fresh'))).toBeUndefined();
    expect(cluster.objects.get(ref('dr-taken'))?.data).toEqual({ from: 'operator' });
  });
});
