import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KindProvider } from '../../../core/providers/index.js';
import { FleetError } from '../../../core/errors.js';
import { fakeTools, type FakeTools } from '../../support/fake-bin/fake-tools.js';
import { record } from './records.js';

describe('KindProvider against a fake kind on PATH', () => {
  let tools: FakeTools;
  let kind: KindProvider;
  beforeEach(() => {
    tools = fakeTools();
    kind = new KindProvider({ env: tools.env });
  });
  afterEach(() => tools.cleanup());

  it('creates a cluster from a generated config that publishes http, https and pf ports', async () => {
    await kind.create(record('uat', 'kind', { httpPort: 18082, httpsPort: 18444, pfPort: 19002, nodePort: 30081 }), { apiPort: 6560 });
    const [call] = tools.calls();
    expect(call?.slice(0, 5)).toEqual(['kind', 'create', 'cluster', '--name', 'uat']);
    expect(call?.[5]).toBe('--config');
    expect(call?.slice(7)).toEqual(['--wait', '60s']);
    const config = parse(tools.state().kind.uat!.config ?? '') as Record<string, unknown>;
    expect(config).toMatchObject({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      networking: { apiServerPort: 6560 },
      nodes: [
        {
          role: 'control-plane',
          extraPortMappings: [
            { containerPort: 80, hostPort: 18082, protocol: 'TCP' },
            { containerPort: 443, hostPort: 18444, protocol: 'TCP' },
            { containerPort: 30081, hostPort: 19002, protocol: 'TCP' },
          ],
        },
      ],
    });
  });

  it('lists clusters from plain lines, and nothing when kind says "No kind clusters found."', async () => {
    expect(await kind.list()).toEqual([]);
    await kind.create(record('uat', 'kind'));
    await kind.create(record('dev', 'kind'));
    const before = tools.calls().length;
    const live = await kind.list();
    expect(tools.calls().slice(before)).toEqual([['kind', 'get', 'clusters']]);
    expect(live.map((c) => [c.name, c.provider])).toEqual([['dev', 'kind'], ['uat', 'kind']]);
    await kind.delete('dev');
    expect((await kind.list()).map((c) => c.name)).toEqual(['uat']);
    expect(tools.calls()).toContainEqual(['kind', 'delete', 'cluster', '--name', 'dev']);
  });

  it('gets the kubeconfig, names the context kind-NAME, and says not found for unknown clusters', async () => {
    await kind.create(record('prod', 'kind'));
    expect(await kind.kubeconfig('prod')).toContain('current-context: kind-prod');
    expect(tools.calls()).toContainEqual(['kind', 'get', 'kubeconfig', '--name', 'prod']);
    expect(kind.contextName('prod')).toBe('kind-prod');
    await expect(kind.kubeconfig('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a second create of the same name fails with kind\'s own message', async () => {
    await kind.create(record('dev', 'kind'));
    const error = (await kind.create(record('dev', 'kind')).catch((e: unknown) => e)) as FleetError;
    expect(error).toBeInstanceOf(FleetError);
    expect(error.message).toContain('node(s) already exist for a cluster with the name "dev"');
  });

  it('a missing kind binary says to install kind or use --sandbox', async () => {
    const error = (await new KindProvider({ env: { PATH: tools.dir } }).list().catch((e: unknown) => e)) as FleetError;
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.hint).toMatch(/install kind/i);
    expect(error.hint).toContain('--sandbox');
  });
});
