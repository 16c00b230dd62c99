import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KindProvider } from '../../../core/providers/index.js';
import { execa } from 'execa';
import { FleetError } from '../../../core/errors.js';
import { kindNodeContainers, parseKindNodes, parseLabels, parsePorts } from '../../../core/providers/kind-list.js';
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

  it('lists every cluster with its state, published ports and API server from one docker ps over the node containers', async () => {
    expect(await kind.list()).toEqual([]);
    await kind.create(record('uat', 'kind', { httpPort: 18082, httpsPort: 18444, pfPort: 19002, nodePort: 30081 }), { apiPort: 6560 });
    await kind.create(record('dev', 'kind'));
    const before = tools.calls().length;
    const live = await kind.list();
    expect(tools.calls().slice(before)).toEqual([['docker', 'ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{json .}}']]);
    expect(live.map((c) => [c.name, c.provider, c.status, c.serverUrl, c.network])).toEqual([
      ['dev', 'kind', 'running', 'https://127.0.0.1:41234', 'kind'], ['uat', 'kind', 'running', 'https://127.0.0.1:6560', 'kind']]);
    expect(live[1]!.ports.map((p) => [p.hostPort, p.containerPort])).toEqual([[6560, 6443], [18082, 80], [18444, 443], [19002, 30081]]);
    expect(live[1]!.subnet).toBeNull();
    await kind.delete('dev');
    expect((await kind.list()).map((c) => c.name)).toEqual(['uat']);
    expect(tools.calls()).toContainEqual(['kind', 'delete', 'cluster', '--name', 'dev']);
  });

  it('reports a cluster whose node containers are stopped as stopped, with no server to probe', async () => {
    await kind.create(record('prod', 'kind'));
    await execa('docker', ['stop', 'prod-control-plane'], { env: tools.env });
    const [prod] = await kind.list();
    expect(prod).toMatchObject({ name: 'prod', status: 'stopped', serverUrl: null, ports: [] });
  });

  it('starts a stopped cluster with `docker start` of its node containers, the control plane first (kind has no start)', async () => {
    const config = ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'nodes:', '- role: control-plane', '- role: worker', '- role: worker', ''].join('\n');
    const configFile = join(tools.dir, 'ha.yaml');
    writeFileSync(configFile, config);
    await execa('kind', ['create', 'cluster', '--name', 'prod', '--config', configFile], { env: tools.env });
    await kind.create(record('uat', 'kind'));
    await execa('docker', ['stop', 'prod-control-plane', 'prod-worker', 'prod-worker2'], { env: tools.env });
    expect((await kind.list()).map((c) => [c.name, c.status])).toEqual([['prod', 'stopped'], ['uat', 'running']]);
    const before = tools.calls().length;
    await kind.start('prod');
    expect(tools.calls().slice(before)).toEqual([
      ['docker', 'ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=prod', '--format', '{{json .}}'],
      ['docker', 'start', 'prod-control-plane', 'prod-worker', 'prod-worker2'],
    ]);
    expect((await kind.list()).map((c) => [c.name, c.status])).toEqual([['prod', 'running'], ['uat', 'running']]);
    await kind.start('prod'); // running already: docker start leaves running containers as they are
    expect((await kind.list()).map((c) => c.status)).toEqual(['running', 'running']);
  });

  it('starting a cluster Docker has no node containers for is a not-found error, and starts nothing', async () => {
    await kind.create(record('uat', 'kind'));
    const before = tools.calls().length;
    await expect(kind.start('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'kind cluster "ghost" does not exist' });
    expect(tools.calls().slice(before).map((c) => c[1])).toEqual(['ps']);
    const bare = new KindProvider({ env: { PATH: tools.dir } });
    await expect(bare.start('uat')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('so they cannot be listed') });
  });

  it('names the API server as containers on the kind network reach it, when ArgoCD runs there', async () => {
    expect(kind.networkServerUrl('uat')).toBeUndefined();
    expect(new KindProvider({ registerInNetwork: true }).networkServerUrl('uat')).toBe('https://uat-control-plane:6443');
    await kind.create(record('uat', 'kind'), { apiPort: 6560 });
    const [uat] = await kind.list();
    expect(uat).toMatchObject({ serverUrl: 'https://127.0.0.1:6560', networkServerUrl: 'https://uat-control-plane:6443' });
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

  it('without a Docker CLI (kind on podman or nerdctl), lists the clusters by name with `kind get clusters`, their state unknown', async () => {
    const dockerless = new KindProvider({ env: tools.env, dockerBinary: join(tools.dir, 'no-docker-here') });
    expect(await dockerless.list()).toEqual([]);
    await kind.create(record('uat', 'kind'));
    await kind.create(record('dev', 'kind'));
    const before = tools.calls().length;
    expect(await dockerless.list()).toEqual(['dev', 'uat'].map((name) => ({ name, provider: 'kind', status: 'unknown', serverUrl: null, ports: [], subnet: null, network: null })));
    expect(tools.calls().slice(before)).toEqual([['kind', 'get', 'clusters']]);
  });

  it('a missing kind binary says to install kind or use --sandbox; a missing docker says kind needs it', async () => {
    const bare = new KindProvider({ env: { PATH: tools.dir } });
    const error = (await bare.create(record('dev', 'kind')).catch((e: unknown) => e)) as FleetError;
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.hint).toMatch(/install kind/i);
    expect(error.hint).toContain('--sandbox');
    const listing = (await bare.list().catch((e: unknown) => e)) as FleetError;
    expect(listing.code).toBe('UNAVAILABLE');
    expect(listing.message).toContain('kind runs its nodes as Docker containers');
    expect(listing.hint).toMatch(/install docker/i);
  });
});

describe("parsing docker ps --format '{{json .}}'", () => {
  it('reads ports as Docker prints them: IPv4 and IPv6 bindings once, ranges, unpublished ports skipped', () => {
    expect(parsePorts('0.0.0.0:20001->80/tcp, :::20001->80/tcp, [::]:20001->80/tcp, 127.0.0.1:41234->6443/tcp, 0.0.0.0:8000-8001->9000-9001/udp, 5000/tcp'))
      .toEqual([
        { hostPort: 8000, containerPort: 9000, protocol: 'udp', hostIp: '0.0.0.0' },
        { hostPort: 8001, containerPort: 9001, protocol: 'udp', hostIp: '0.0.0.0' },
        { hostPort: 20001, containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0' },
        { hostPort: 41234, containerPort: 6443, protocol: 'tcp', hostIp: '127.0.0.1' },
      ]);
  });

  it('reads labels joined by commas, a value holding a comma included', () => {
    expect([...parseLabels('io.x-k8s.kind.cluster=dev,io.x-k8s.kind.role=control-plane,note=a,b')])
      .toEqual([['io.x-k8s.kind.cluster', 'dev'], ['io.x-k8s.kind.role', 'control-plane'], ['note', 'a,b']]);
  });

  it('groups nodes by cluster: a worker does not publish, a stopped worker degrades the cluster', () => {
    const line = (name: string, role: string, state: string, ports: string) => JSON.stringify({
      Names: name, State: state, Ports: ports, Networks: 'kind', Labels: `io.x-k8s.kind.cluster=ha,io.x-k8s.kind.role=${role}` });
    const [ha] = parseKindNodes([
      line('ha-control-plane', 'control-plane', 'running', '0.0.0.0:20001->80/tcp'),
      line('ha-worker', 'worker', 'exited', ''),
      line('ha-external-load-balancer', 'external-load-balancer', 'running', '0.0.0.0:39999->6443/tcp'),
    ].join('\n'));
    expect(ha).toMatchObject({ name: 'ha', status: 'degraded', serverUrl: 'https://127.0.0.1:39999' });
    expect(ha!.ports.map((p) => p.hostPort)).toEqual([20001]);
    expect(() => parseKindNodes('not json')).toThrow(/not JSON/);
  });

  it('names the node containers to start: control planes, then the load balancer, then workers, of that cluster only', () => {
    const line = (cluster: string, name: string, role: string) => JSON.stringify({
      Names: name, State: 'exited', Ports: '', Networks: 'kind', Labels: `io.x-k8s.kind.cluster=${cluster},io.x-k8s.kind.role=${role}` });
    const output = [
      line('ha', 'ha-worker', 'worker'), line('ha', 'ha-external-load-balancer', 'external-load-balancer'), line('other', 'other-control-plane', 'control-plane'),
      line('ha', 'ha-control-plane2', 'control-plane'), line('ha', 'ha-control-plane', 'control-plane'), '',
    ].join('\n');
    expect(kindNodeContainers(output, 'ha')).toEqual(['ha-control-plane', 'ha-control-plane2', 'ha-external-load-balancer', 'ha-worker']);
    expect(kindNodeContainers(output, 'none')).toEqual([]);
  });
});
