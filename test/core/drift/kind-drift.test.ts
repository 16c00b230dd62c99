/** Drift for kind clusters, which the provider now reads from Docker: ports, state and the API server are visible. */
import { createServer, type Server } from 'node:net';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import { openTestEngine } from '../../support/engine.js';
import type { FakeKindCluster } from '../../support/fake-bin/fake-tools.js';
import { openTestFleet, type TestFleet } from '../lifecycle/support/test-fleet.js';
import { wire } from '../lifecycle/support/wire.js';

describe('drift of kind clusters, seen through docker ps', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, close: closeEngine } = await openTestEngine('postgres'));
    services = wire(engine, fleet.ports);
    await services.lifecycle.create('uat', 'kind');
    await services.lifecycle.create('prod', 'kind');
    expect((await services.drift.scan()).items).toEqual([]);
  });
  afterEach(async () => {
    await closeEngine();
    await fleet.close();
  });

  function editKind(name: string, edit: (c: FakeKindCluster) => void): void {
    const state = fleet.tools.state();
    edit(state.kind[name]!);
    fleet.tools.writeState(state);
  }

  it('finds a port mismatch and stale ArgoCD registration on kind, and repairs them from what the cluster publishes', async () => {
    editKind('uat', (c) => {
      for (const port of c.nodes[0]!.ports) {
        if (port.containerPort === 80) port.hostPort = 18080;
        if (port.containerPort === 6443) port.hostPort = 45555;
      }
    });
    const report = await services.drift.scan();
    expect(report.items.map((i) => i.id)).toEqual(['port_mismatch:uat', 'stale_registration:argocd:uat']);
    expect(report.items[0]!.message).toContain('the cluster publishes 18080→80');
    expect(report.items[1]!.message).toContain('its API server now listens on port 45555');
    const { operation } = await services.drift.apply((await services.drift.plan()).id);
    expect(operation?.status).toBe('succeeded');
    expect((await engine.inventory.show('uat')).httpPort).toBe(18080);
    expect((await fleet.ports.registrars.argocd.list()).find((r) => r.name === 'uat')?.target).toBe('https://127.0.0.1:45555');
    expect((await fleet.ports.registrars.haproxy.list()).find((r) => r.name === 'uat')?.target).toBe('127.0.0.1:18080');
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('adopts an orphan kind cluster with the ports it really publishes', async () => {
    const uat = await engine.inventory.show('uat');
    await fleet.ports.providers.kind.create({ ...uat, name: 'scratch', pfPort: 61000, httpPort: 61001, httpsPort: 61002, nodePort: 30099 });
    const report = await services.drift.scan();
    expect(report.items.map((i) => i.id)).toEqual(['orphan_cluster:scratch']);
    const plan = await services.drift.plan();
    expect(plan.actions).toEqual([{ type: 'adopt_cluster', cluster: 'scratch', provider: 'kind' }]);
    await services.drift.apply(plan.id);
    expect(await engine.inventory.show('scratch')).toMatchObject({ provider: 'kind', subnet: null, pfPort: 61000, httpPort: 61001, httpsPort: 61002, nodePort: 30099 });
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('reports a stopped kind cluster and one whose API server does not answer; the default repair starts the stopped one', async () => {
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    // prod's API server, as it answers once prod's node container runs again.
    const api: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiPort = (api.address() as { port: number }).port;
    editKind('uat', (c) => {
      for (const p of c.nodes[0]!.ports) if (p.containerPort === 6443) p.hostPort = port;
    });
    editKind('prod', (c) => {
      for (const p of c.nodes[0]!.ports) if (p.containerPort === 6443) p.hostPort = apiPort;
    });
    await fleet.ports.registrars.argocd.ensure(await engine.inventory.show('uat'), { server: `https://127.0.0.1:${port}` });
    await fleet.ports.registrars.argocd.ensure(await engine.inventory.show('prod'), { server: `https://127.0.0.1:${apiPort}` });
    await execa('docker', ['stop', 'prod-control-plane'], { env: fleet.tools.env });
    const probing = wire(engine, fleet.ports, { probeApi: true });
    try {
      const answering = await probing.drift.scan();
      expect(answering.items.map((i) => i.id)).toEqual(['api_unreachable:prod']);
      expect(answering.items[0]!.message).toBe('cluster prod is stopped, so its API server does not answer');
      expect(answering.items[0]!.repair.description).toBe('start cluster prod (`docker start prod-control-plane`) and wait until its API server answers');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const silent = await probing.drift.scan();
      expect(silent.items.map((i) => i.id)).toEqual(['api_unreachable:prod', 'api_unreachable:uat']);
      expect(silent.items[1]!.message).toContain('does not answer');

      const plan = await probing.drift.plan({ only: ['api_unreachable:prod'] });
      expect(plan.actions).toEqual([{ type: 'start_cluster', cluster: 'prod' }]);
      const before = fleet.tools.calls().length;
      const { operation } = await probing.drift.apply(plan.id);
      expect(operation?.status).toBe('succeeded');
      expect(fleet.tools.calls().slice(before)).toContainEqual(['docker', 'start', 'prod-control-plane']);
      expect((await probing.drift.scan()).items.map((i) => i.id)).toEqual(['api_unreachable:uat']);
    } finally {
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  });
});
