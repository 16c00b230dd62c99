import { createServer } from 'node:net';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { K3dProvider } from '../../../core/providers/index.js';
import { K3D_API_PORTS, k3dApiPortStart } from '../../../core/providers/k3d-provider.js';
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

  it('creates a cluster with its API port, the inventory ports, and its own network where its subnet applies', async () => {
    await k3d.create(record('dev-k3d', 'k3d'), { apiPort: 6551 });
    expect(tools.calls()).toEqual([
      [
        'k3d', 'cluster', 'create', 'dev-k3d',
        '--api-port', '6551',
        '-p', '18081:80@loadbalancer',
        '-p', '18443:443@loadbalancer',
        '-p', '19001:30080@loadbalancer',
        '--network', 'k3d-dev-k3d',
        '--subnet', '10.101.0.0/16',
        '--wait', '--timeout', '60s',
      ],
    ]);
  });

  it('gives every cluster an API port derived from its name, so a re-created cluster keeps its kubeconfig', async () => {
    await k3d.create(record('dev-k3d', 'k3d'));
    const port = k3dApiPortStart('dev-k3d');
    expect(port).toBeGreaterThanOrEqual(K3D_API_PORTS.min);
    expect(tools.calls()[0]?.slice(4, 6)).toEqual(['--api-port', String(port)]);
    const before = await k3d.kubeconfig('dev-k3d');
    expect(before).toContain(`server: https://0.0.0.0:${port}`);
    await k3d.delete('dev-k3d');
    await k3d.create(record('dev-k3d', 'k3d'));
    expect(await k3d.kubeconfig('dev-k3d')).toBe(before);
    expect(k3dApiPortStart('uat-k3d')).not.toBe(port);
  });

  it('moves on to the next free port when the derived API port is taken', async () => {
    const start = k3dApiPortStart('busy-k3d');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(start, '0.0.0.0', resolve));
    try {
      await k3d.create(record('busy-k3d', 'k3d'));
      expect(Number(tools.calls()[0]?.[5])).not.toBe(start);
      expect((await k3d.list())[0]?.serverUrl).toBe(`https://127.0.0.1:${tools.calls()[0]?.[5]}`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('joins the shared network without --subnet when the cluster has no subnet, and no network when configured off', async () => {
    await k3d.create(record('shared', 'k3d', { subnet: null }), { apiPort: 6552 });
    expect(tools.calls()[0]).toEqual([
      'k3d', 'cluster', 'create', 'shared', '--api-port', '6552',
      '-p', '18081:80@loadbalancer', '-p', '18443:443@loadbalancer', '-p', '19001:30080@loadbalancer',
      '--network', 'k3d-shared', '--wait', '--timeout', '60s',
    ]);
    const own = new K3dProvider({ env: tools.env, network: null });
    await own.create(record('solo', 'k3d', { subnet: null }), { apiPort: 6553 });
    expect(tools.calls()[1]).toEqual([
      'k3d', 'cluster', 'create', 'solo', '--api-port', '6553',
      '-p', '18081:80@loadbalancer', '-p', '18443:443@loadbalancer', '-p', '19001:30080@loadbalancer',
      '--wait', '--timeout', '60s',
    ]);
  });

  it('lists every cluster in one call with status, server URL, ports, and the subnet of its own network', async () => {
    await k3d.create(record('dev-k3d', 'k3d'), { apiPort: 6551 });
    await k3d.create(record('uat-k3d', 'k3d', { subnet: '10.102.0.0/16', httpPort: 18082 }), { apiPort: 6552 });
    const before = tools.calls().length;
    const live = await k3d.list();
    expect(tools.calls().slice(before)).toEqual([['k3d', 'cluster', 'list', '-o', 'json']]);
    expect(live.map((c) => c.name)).toEqual(['dev-k3d', 'uat-k3d']);
    const dev = live[0]!;
    expect(dev).toMatchObject({ provider: 'k3d', status: 'running', serverUrl: 'https://127.0.0.1:6551', subnet: '10.101.0.0/16', network: 'k3d-dev-k3d' });
    expect(live[1]).toMatchObject({ subnet: '10.102.0.0/16', network: 'k3d-uat-k3d' });
    expect(dev.ports.map((p) => `${p.hostPort}:${p.containerPort}`)).toEqual(['6551:6443', '18081:80', '18443:443', '19001:30080']);
  });

  it('the fake answers as k3d does: a cluster joining an existing network reports that network\'s prefix, not its --subnet', async () => {
    const run = (...args: string[]) => execa('k3d', args, { env: tools.env });
    await run('cluster', 'create', 'first', '--network', 'k3d-shared', '--subnet', '10.1.0.0/24');
    const second = await run('cluster', 'create', 'second', '--network', 'k3d-shared', '--subnet', '10.2.0.0/24');
    expect(second.stderr).toContain("Re-using existing network 'k3d-shared'");
    const live = await k3d.list();
    expect(live.map((c) => [c.name, c.network, c.subnet])).toEqual([['first', 'k3d-shared', '10.1.0.0/24'], ['second', 'k3d-shared', '10.1.0.0/24']]);
  });

  it('names the API server as containers on the Docker network reach it when ArgoCD runs there', () => {
    expect(k3d.networkServerUrl('dev-k3d')).toBeUndefined();
    expect(new K3dProvider({ registerInNetwork: true }).networkServerUrl('dev-k3d')).toBe('https://k3d-dev-k3d-serverlb:6443');
  });

  it('lists the network URL beside the host URL, so drift accepts a registration at either', async () => {
    await k3d.create(record('dev-k3d', 'k3d'));
    const [dev] = await k3d.list();
    expect(dev).toMatchObject({ serverUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), networkServerUrl: 'https://k3d-dev-k3d-serverlb:6443' });
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

  it('starts a stopped cluster with `k3d cluster start NAME --wait`, as create waits, and lists it running', async () => {
    await k3d.create(record('dev-k3d', 'k3d'), { apiPort: 6551 });
    await execa('k3d', ['cluster', 'stop', 'dev-k3d'], { env: tools.env });
    expect((await k3d.list()).map((c) => [c.name, c.status])).toEqual([['dev-k3d', 'stopped']]);
    const before = tools.calls().length;
    await k3d.start('dev-k3d');
    await k3d.start('dev-k3d', { waitSeconds: 120 }); // a running cluster: k3d leaves it as it is
    expect(tools.calls().slice(before)).toEqual([
      ['k3d', 'cluster', 'start', 'dev-k3d', '--wait', '--timeout', '60s'],
      ['k3d', 'cluster', 'start', 'dev-k3d', '--wait', '--timeout', '120s'],
    ]);
    expect((await k3d.list()).map((c) => [c.name, c.status, c.serverUrl])).toEqual([['dev-k3d', 'running', 'https://127.0.0.1:6551']]);
  });

  it('starting a cluster k3d does not have is a not-found error; another failure keeps k3d\'s message', async () => {
    await expect(k3d.start('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'k3d cluster "ghost" does not exist' });
    expect(tools.calls()[0]).toEqual(['k3d', 'cluster', 'start', 'ghost', '--wait', '--timeout', '60s']);
    await k3d.create(record('dev-k3d', 'k3d'));
    const failing = new K3dProvider({ env: { ...tools.env, FAKE_TOOL_FAIL: 'k3d cluster start', FAKE_TOOL_FAIL_STDERR: 'FATA[0030] Failed to start server k3d-dev-k3d-server-0: context deadline exceeded' } });
    await expect(failing.start('dev-k3d')).rejects.toMatchObject({ code: 'EXTERNAL', message: expect.stringContaining('context deadline exceeded') });
  });

  it('an empty fleet lists as no clusters', async () => {
    expect(await k3d.list()).toEqual([]);
  });

  it('gets the kubeconfig and names the context k3d-NAME', async () => {
    await k3d.create(record('dev-k3d', 'k3d'), { apiPort: 6551 });
    const config = await k3d.kubeconfig('dev-k3d');
    expect(config).toContain('current-context: k3d-dev-k3d');
    expect(config).toContain('server: https://0.0.0.0:6551');
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
