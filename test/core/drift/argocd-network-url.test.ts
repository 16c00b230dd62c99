/**
 * ArgoCD runs in devops and reaches the clusters over Docker networking: a real fleet registers k3d clusters at
 * their load balancer and kind clusters at their control-plane container. Drift accepts that URL or the host API
 * port as current, and flags anything else.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetServices } from '../../../core/drift/fleet-services.js';
import type { Engine } from '../../../core/engine.js';
import type { FleetPorts } from '../../../core/lifecycle/ports.js';
import { K3dProvider } from '../../../core/providers/k3d-provider.js';
import { KindProvider } from '../../../core/providers/kind-provider.js';
import { openTestEngine } from '../../support/engine.js';
import { openTestFleet, type TestFleet } from '../lifecycle/support/test-fleet.js';
import { wire } from '../lifecycle/support/wire.js';

describe('ArgoCD registrations at the Docker network URL', () => {
  let fleet: TestFleet;
  let engine: Engine;
  let ports: FleetPorts;
  let services: FleetServices;
  let closeEngine: () => Promise<void>;

  const targets = async (): Promise<Record<string, string>> =>
    Object.fromEntries((await ports.registrars.argocd.list()).map((r) => [r.name, r.target]));
  const hostUrl = async (name: string, provider: 'k3d' | 'kind'): Promise<string> =>
    (await ports.providers[provider].list()).find((c) => c.name === name)!.serverUrl!;

  beforeEach(async () => {
    fleet = await openTestFleet();
    ({ engine, close: closeEngine } = await openTestEngine('postgres'));
    const env = fleet.setup.toolsEnv;
    ports = { ...fleet.ports, providers: { k3d: new K3dProvider({ env, registerInNetwork: true }), kind: new KindProvider({ env, registerInNetwork: true }) } };
    services = wire(engine, ports);
    await services.lifecycle.create('dev-k3d', 'k3d');
    await services.lifecycle.create('uat', 'kind');
  });
  afterEach(async () => {
    await closeEngine();
    await fleet.close();
  });

  it('registers both providers at their network URL, and that is not drift', async () => {
    expect(await targets()).toEqual({ 'dev-k3d': 'https://k3d-dev-k3d-serverlb:6443', uat: 'https://uat-control-plane:6443' });
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('accepts a registration at the host API port too', async () => {
    await ports.registrars.argocd.ensure(await engine.inventory.show('dev-k3d'), { server: await hostUrl('dev-k3d', 'k3d') });
    await ports.registrars.argocd.ensure(await engine.inventory.show('uat'), { server: await hostUrl('uat', 'kind') });
    expect((await targets())['uat']).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('flags a registration at another container or port, and the repair puts the network URL back', async () => {
    await ports.registrars.argocd.ensure(await engine.inventory.show('dev-k3d'), { server: 'https://k3d-prod-k3d-serverlb:6443' });
    await ports.registrars.argocd.ensure(await engine.inventory.show('uat'), { server: 'https://uat-control-plane:7443' });
    const report = await services.drift.scan();
    expect(report.items.map((i) => i.id)).toEqual(['stale_registration:argocd:dev-k3d', 'stale_registration:argocd:uat']);
    expect(report.items[0]!.message).toContain('ArgoCD reaches dev-k3d at https://k3d-prod-k3d-serverlb:6443');
    expect(report.items[1]!.message).toContain('or https://uat-control-plane:6443 on the Docker network');
    const { operation } = await services.drift.apply((await services.drift.plan()).id);
    expect(operation?.status).toBe('succeeded');
    expect(await targets()).toEqual({ 'dev-k3d': 'https://k3d-dev-k3d-serverlb:6443', uat: 'https://uat-control-plane:6443' });
    expect((await services.drift.scan()).items).toEqual([]);
  });

  it('a fleet registering at host ports also accepts the network URL, and still flags a moved host port', async () => {
    const loopback = wire(engine, fleet.ports);
    await loopback.lifecycle.create('prod', 'kind');
    expect((await targets())['prod']).toBe(await hostUrl('prod', 'kind'));
    await ports.registrars.argocd.ensure(await engine.inventory.show('prod'), { server: 'https://prod-control-plane:6443' });
    expect((await loopback.drift.scan()).items).toEqual([]);
    await ports.registrars.argocd.ensure(await engine.inventory.show('prod'), { server: 'https://127.0.0.1:1' });
    expect((await loopback.drift.scan()).items.map((i) => i.id)).toEqual(['stale_registration:argocd:prod']);
  });
});
