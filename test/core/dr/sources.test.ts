import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrService } from '../../../core/dr/dr-service.js';
import { FleetError } from '../../../core/errors.js';
import { createKubeGateway, type KubeGateway } from '../../../core/kube/index.js';
import { ensureDrCrds } from '../../../src/sandbox/dr/dr-crds.js';
import { createDrCustomResources } from '../../../src/sandbox/dr/seed.js';
import { kubeconfigFor, startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/kube-api/index.js';
import { openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { httpAction, planYaml, startHookServer, type HookServer } from './executor/support.js';

function gatewayTo(cluster: SandboxCluster): KubeGateway {
  return createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: cluster.name, url: cluster.url }]), context: cluster.name });
}

/** DR plans that live as custom resources in clusters, beside the stored ones. */
describe('DR plans from custom resources (sandbox API server, client-node)', () => {
  let test: TestDatabase;
  let devops: SandboxCluster;
  let prod: SandboxCluster;
  let hooks: HookServer;
  let dr: DrService;
  const kube = new Map<string, KubeGateway>();
  const service = (clusters: string[], known: string[] = ['devops', 'prod']): DrService => new DrService({
    db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, secrets: null, planClusters: clusters,
    kube: async (name) => {
      const gateway = kube.get(name);
      if (!gateway) throw new FleetError('NOT_FOUND', `cluster "${name}" does not exist`, 'none');
      return gateway;
    },
    clusterNames: async () => known,
  });

  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    devops = await startSandboxCluster({ name: 'devops', controller: false });
    prod = await startSandboxCluster({ name: 'prod', controller: false });
    kube.set('devops', gatewayTo(devops)).set('prod', gatewayTo(prod));
    await ensureDrCrds(kube.get('devops')!);
    await ensureDrCrds(kube.get('prod')!);
    dr = service(['devops']);
    await createDrCustomResources(kube.get('devops')!, planYaml('cr-drill', [httpAction('ping', hooks.url)]));
    await createDrCustomResources(kube.get('prod')!, planYaml('prod-drill', [httpAction('prod-ping', hooks.url)]));
    await dr.apply(planYaml('stored-drill', [httpAction('stored-ping', hooks.url)]), 'stored.yaml');
  }, 60_000);
  afterAll(async () => { await devops?.stop(); await prod?.stop(); await hooks?.close(); await test?.close(); });

  it('lists custom-resource plans of the management cluster beside stored ones, saying where each comes from', async () => {
    const plans = await dr.listPlans();
    expect(plans.map((p) => [p.name, p.source, p.ref]).sort()).toEqual([
      ['cr-drill', 'cluster/devops', 'cluster/devops:default/cr-drill'],
      ['stored-drill', 'stored', 'stored:default/stored-drill'],
    ]);
    // With --cluster prod, that cluster's plans count too.
    expect((await service(['devops', 'prod']).listPlans()).map((p) => p.source).sort()).toEqual(['cluster/devops', 'cluster/prod', 'stored']);
  });

  it('plans, executes and exports a custom-resource plan with its workflows read from the same cluster', async () => {
    const dry = await dr.dryRun('cr-drill');
    expect(dry.source).toBe('cluster/devops');
    expect(dry.stages[0]!.workflows[0]!.actions[0]!.action.http?.url).toBe(`${hooks.url}/ping`);
    const exec = await dr.startExecute('cr-drill');
    expect(exec.planSource).toBe('cluster/devops');
    expect((await dr.run(exec.id)).execution.phase).toBe('Succeeded');
    expect(hooks.hits.get('/ping')).toBe(1);
    const argo = await dr.exportArgo('cr-drill');
    expect(argo.kind).toBe('Workflow');
    // A plan of another cluster runs when that cluster is named.
    const prodExec = await service(['devops', 'prod']).startExecute('prod-drill');
    expect((await dr.run(prodExec.id)).execution.phase).toBe('Succeeded');
    await expect(dr.startExecute('prod-drill')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('validates custom resources with the same schema: an invalid one is listed as invalid, naming the field, and refused', async () => {
    await kube.get('devops')!.create({
      apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRPlan', metadata: { name: 'typo-plan', namespace: 'default' },
      spec: { stages: [{ name: 's', workflows: [{ workflowRef: { name: 'cr-drill' } }] }], failurPolicy: 'Stop' },
    });
    const listed = (await dr.listPlans()).find((p) => p.name === 'typo-plan')!;
    expect(listed.invalid).toContain('spec.failurPolicy: unknown field (did you mean "failurePolicy"?)');
    await expect(dr.startExecute('typo-plan')).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('spec.failurPolicy') });
    await kube.get('devops')!.delete({ apiVersion: 'dr.bkbcs.tencent.com/v1alpha1', kind: 'DRPlan', name: 'typo-plan', namespace: 'default' });
  });

  it('refuses a name that matches a stored plan and a custom-resource plan, naming both; a source prefix picks one', async () => {
    await createDrCustomResources(kube.get('devops')!, planYaml('twin', [httpAction('twin-cr', hooks.url)]));
    await dr.apply(planYaml('twin', [httpAction('twin-stored', hooks.url)]), 'twin.yaml');
    const error = await dr.dryRun('twin').catch((e: unknown) => e as FleetError);
    expect(error).toMatchObject({
      code: 'VALIDATION',
      message: 'DR plan "twin" is ambiguous: it exists both as a stored plan and as a DRPlan custom resource in devops',
      hint: 'Name the one you mean: stored:default/twin, cluster/devops:default/twin.',
    });
    expect((await dr.dryRun('stored:twin')).stages[0]!.workflows[0]!.actions[0]!.name).toBe('twin-stored');
    expect((await dr.dryRun('cluster/devops:default/twin')).stages[0]!.workflows[0]!.actions[0]!.name).toBe('twin-cr');
    await expect(dr.dryRun('elsewhere:twin')).rejects.toThrow('"elsewhere" in "elsewhere:twin" is not a plan source');
  });

  it('still lists stored plans when a cluster cannot be read, and says which', async () => {
    const listing = await service(['devops', 'gone']).inventory();
    expect(listing.problems).toEqual([{ source: 'cluster/gone', message: 'cluster "gone" does not exist' }]);
    expect(listing.plans.some((p) => p.name === 'stored-drill')).toBe(true);
  });

  it('refuses a clusterRef naming an unknown cluster when a file is validated, and a rendered one at plan time', async () => {
    const literal = planYaml('lost', [httpAction('x', hooks.url, { clusterRef: 'prd' })]);
    await expect(dr.validate(literal, 'lost.yaml')).rejects.toThrow('spec.actions[0].clusterRef: cluster "prd" is not in the inventory (did you mean "prod"?); known: devops, prod');
    const templated = planYaml('lost-later', [httpAction('x', hooks.url, { clusterRef: '{{ .params.target }}' })])
      .replace('spec:\n  failurePolicy', 'spec:\n  parameters:\n    - name: target\n      default: nowhere\n  failurePolicy');
    await dr.apply(templated, 'lost-later.yaml');
    await expect(dr.dryRun('lost-later')).rejects.toThrow('cluster "nowhere" is not in the inventory');
    await expect(dr.startExecute('lost-later')).rejects.toThrow('cluster "nowhere" is not in the inventory');
    expect((await dr.listExecutions()).some((e) => e.planName === 'lost-later')).toBe(false);
    expect((await dr.dryRun('lost-later', { target: 'prod' })).stages[0]!.workflows[0]!.actions[0]!.action.clusterRef).toBe('prod');
  });
});
