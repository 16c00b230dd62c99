import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { K3dProvider } from '../../../core/providers/index.js';
import { FleetError } from '../../../core/errors.js';
import { fakeTools, type FakeTools } from '../../support/fake-bin/fake-tools.js';
import { record } from './records.js';

describe('K3dProvider against a fake k3d on PATH', () => {
  let tools: FakeTools;
  let k3d: K3dProvider;
  beforeEach(() => {
    tools = fakeTools();
    k3d = new K3dProvider({ env: tools.env });
  });
  afterEach(() => tools.cleanup());

  it('creates a cluster with the inventory ports, subnet and shared network', async () => {
    await k3d.create(record('dev-k3d', 'k3d'), { apiPort: 6551 });
    expect(tools.calls()).toEqual([
      [
        'k3d', 'cluster', 'create', 'dev-k3d',
        '--api-port', '6551',
        '-p', '18081:80@loadbalancer',
        '-p', '18443:443@loadbalancer',
        '-p', '19001:30080@loadbalancer',
        '--subnet', '10.101.0.0/16',
        '--network', 'k3d-shared',
        '--wait', '--timeout', '60s',
      ],
    ]);
  });

  it('omits --subnet without one and --network when configured off', async () => {
    const own = new K3dProvider({ env: tools.env, network: null });
    await own.create(record('solo', 'k3d', { subnet: null }));
    expect(tools.calls()[0]).toEqual([
      'k3d', 'cluster', 'create', 'solo',
      '-p', '18081:80@loadbalancer', '-p', '18443:443@loadbalancer', '-p', '19001:30080@loadbalancer',
      '--wait', '--timeout', '60s',
    ]);
  });

  it('lists every cluster in one call with status, server URL, ports and subnet', async () => {
    await k3d.create(record('dev-k3d', 'k3d'), { apiPort: 6551 });
    await k3d.create(record('uat-k3d', 'k3d', { subnet: '10.102.0.0/16', httpPort: 18082 }), { apiPort: 6552 });
    const before = tools.calls().length;
    const live = await k3d.list();
    expect(tools.calls().slice(before)).toEqual([['k3d', 'cluster', 'list', '-o', 'json']]);
    expect(live.map((c) => c.name)).toEqual(['dev-k3d', 'uat-k3d']);
    const dev = live[0]!;
    expect(dev).toMatchObject({ provider: 'k3d', status: 'running', serverUrl: 'https://127.0.0.1:6551', subnet: '10.101.0.0/16', network: 'k3d-shared' });
    expect(dev.ports.map((p) => `${p.hostPort}:${p.containerPort}`)).toEqual(['6551:6443', '18081:80', '18443:443', '19001:30080']);
  });

  it('reports a stopped cluster and forgets a deleted one', async () => {
    await k3d.create(record('dev-k3d', 'k3d'));
    await k3d.create(record('uat-k3d', 'k3d'));
    const state = tools.state();
    state.k3d['uat-k3d']!.running = false;
    tools.writeState(state);
    await k3d.delete('dev-k3d');
    await k3d.delete('dev-k3d'); // idempotent
    const live = await k3d.list();
    expect(live.map((c) => [c.name, c.status])).toEqual([['uat-k3d', 'stopped']]);
    expect(tools.calls().filter((c) => c[2] === 'delete')).toEqual([
      ['k3d', 'cluster', 'delete', 'dev-k3d'],
      ['k3d', 'cluster', 'delete', 'dev-k3d'],
    ]);
  });

  it('an empty fleet lists as no clusters', async () => {
    expect(await k3d.list()).toEqual([]);
  });

  it('gets the kubeconfig and names the context k3d-NAME', async () => {
    await k3d.create(record('dev-k3d', 'k3d'), { apiPort: 6551 });
    const config = await k3d.kubeconfig('dev-k3d');
    expect(config).toContain('current-context: k3d-dev-k3d');
    expect(k3d.contextName('dev-k3d')).toBe('k3d-dev-k3d');
    expect(tools.calls().at(-1)).toEqual(['k3d', 'kubeconfig', 'get', 'dev-k3d']);
  });

  it('a kubeconfig for an unknown cluster is a not-found error', async () => {
    await expect(k3d.kubeconfig('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a failing create carries k3d stderr without the token in it', async () => {
    const failing = fakeTools({
      FAKE_TOOL_FAIL: 'k3d cluster create',
      FAKE_TOOL_FAIL_STDERR: 'FATA[0001] Failed to create cluster: port 18081 is already allocated (token=sekret-canary-4711)',
    });
    try {
      const error = await new K3dProvider({ env: failing.env }).create(record('dev-k3d', 'k3d')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FleetError);
      const fleet = error as FleetError;
      expect(fleet.code).toBe('EXTERNAL');
      expect(fleet.message).toContain('port 18081 is already allocated');
      expect(fleet.message).not.toContain('sekret-canary-4711');
    } finally {
      failing.cleanup();
    }
  });

  it('a missing k3d binary says to install k3d or use --sandbox', async () => {
    const missing = new K3dProvider({ binary: '/nonexistent/k3d' });
    const error = (await missing.list().catch((e: unknown) => e)) as FleetError;
    expect(error).toBeInstanceOf(FleetError);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.hint).toMatch(/install k3d/i);
    expect(error.hint).toContain('--sandbox');
  });

  it('refuses a kind cluster', async () => {
    await expect(k3d.create(record('dev', 'kind'))).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(tools.calls()).toEqual([]);
  });
});
