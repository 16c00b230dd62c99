/** The pure diff and plan choice: no database, no I/O. */
import { describe, expect, it } from 'vitest';
import { diffFleet, uncheckedSources } from '../../../core/drift/diff.js';
import { chooseRepairs, orderedActions, snapshotFingerprint } from '../../../core/drift/plan.js';
import type { FleetSnapshot } from '../../../core/drift/types.js';
import type { ClusterRecord } from '../../../core/inventory/types.js';
import type { LiveCluster } from '../../../core/providers/types.js';
import type { Registration } from '../../../core/registrars/types.js';

function row(name: string, provider: 'k3d' | 'kind', over: Partial<ClusterRecord> = {}): ClusterRecord {
  return { name, provider, subnet: provider === 'k3d' ? '10.64.0.0/24' : null, nodePort: 30080, pfPort: 20000, httpPort: 20001, httpsPort: 20002,
    registerPortainer: true, haproxyRoute: true, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', ...over };
}

function live(r: ClusterRecord, over: Partial<LiveCluster> = {}): LiveCluster {
  return { name: r.name, provider: r.provider, status: 'running', serverUrl: 'https://127.0.0.1:6550', subnet: r.subnet, network: null,
    ports: [{ hostPort: r.httpPort, containerPort: 80, protocol: 'tcp', hostIp: null }, { hostPort: r.httpsPort, containerPort: 443, protocol: 'tcp', hostIp: null },
      { hostPort: r.pfPort, containerPort: r.nodePort, protocol: 'tcp', hostIp: null }], ...over };
}

function regs(r: ClusterRecord): { portainer: Registration; argocd: Registration; haproxy: Registration } {
  return {
    portainer: { kind: 'portainer', name: r.name, target: 'endpoint/2', managed: true, details: { publicUrl: `http://127.0.0.1:${r.httpPort}` } },
    argocd: { kind: 'argocd', name: r.name, target: 'https://127.0.0.1:6550', managed: true, details: {} },
    haproxy: { kind: 'haproxy', name: r.name, target: `127.0.0.1:${r.httpPort}`, managed: true, details: { httpPort: r.httpPort } },
  };
}

/** A consistent fleet of the given rows, which each test then bends. */
function snapshot(rows: ClusterRecord[]): FleetSnapshot {
  const ok = <T>(value: T) => ({ ok: true as const, value });
  return {
    takenAt: '2025-01-01T00:00:00.000Z',
    inventory: ok(rows),
    branches: ok([{ name: 'main', sha: 'a' }, { name: 'devops', sha: 'b' }, ...rows.map((r) => ({ name: r.name, sha: 'c' }))]),
    clusters: { k3d: ok(rows.filter((r) => r.provider === 'k3d').map((r) => live(r))), kind: ok(rows.filter((r) => r.provider === 'kind').map((r) => live(r))) },
    registrations: { portainer: ok(rows.map((r) => regs(r).portainer)), argocd: ok(rows.map((r) => regs(r).argocd)), haproxy: ok(rows.map((r) => regs(r).haproxy)) },
    api: ok({ probed: [], unreachable: {} }),
  };
}

const dev = row('dev', 'k3d');
const uat = row('uat', 'kind', { pfPort: 20010, httpPort: 20011, httpsPort: 20012 });

describe('diffFleet', () => {
  it('finds nothing in a consistent fleet', () => {
    expect(diffFleet(snapshot([dev, uat]))).toEqual([]);
  });

  it('reports a row without its branch, and a branch without a row (not reserved ones nor archives)', () => {
    const s = snapshot([dev, uat]);
    if (s.branches.ok) s.branches.value = [...s.branches.value.filter((b) => b.name !== 'uat'), { name: 'legacy', sha: 'x' },
      { name: 'archive/old-20240101-000000', sha: 'y' }, { name: 'release', sha: 'z' }];
    const items = diffFleet(s);
    expect(items.map((i) => i.id)).toEqual(['missing_branch:uat', 'orphan_branch:legacy']);
    expect(items[0]!.repair.action).toEqual({ type: 'create_branch', cluster: 'uat' });
    expect(items[1]!.repair.action).toEqual({ type: 'archive_branch', branch: 'legacy' });
  });

  it('reports a missing cluster once (not its registrations) and an orphan cluster with adopt as the default', () => {
    const s = snapshot([dev]);
    s.clusters.k3d = { ok: true, value: [live(row('scratch', 'k3d'))] };
    const items = diffFleet(s);
    expect(items.map((i) => i.id)).toEqual(['missing_cluster:dev', 'orphan_cluster:scratch']);
    expect(items[1]!.repair).toMatchObject({ action: { type: 'adopt_cluster', cluster: 'scratch' }, destructive: false });
    expect(items[1]!.alternative).toMatchObject({ action: { type: 'delete_cluster' }, destructive: true });
  });

  it('reports missing, unwanted, stale and orphan registrations', () => {
    const s = snapshot([dev, row('qa', 'kind', { registerPortainer: false, pfPort: 20020, httpPort: 20021, httpsPort: 20022 })]);
    const ok = <T>(value: T) => ({ ok: true as const, value });
    s.registrations.portainer = ok([regs(row('qa', 'kind')).portainer, regs(row('gone', 'kind')).portainer]);
    s.registrations.haproxy = ok([{ ...regs(dev).haproxy, details: { httpPort: 1234 } }, regs(row('qa', 'kind', { httpPort: 20021 })).haproxy]);
    s.registrations.argocd = ok([{ ...regs(dev).argocd, target: 'https://127.0.0.1:7000' }, regs(row('qa', 'kind')).argocd,
      { kind: 'argocd', name: 'in-cluster', target: 'https://kubernetes.default.svc', managed: false, details: {} }]);
    expect(diffFleet(s).map((i) => i.id)).toEqual([
      'missing_registration:portainer:dev', 'orphan_registration:portainer:gone',
      'stale_registration:argocd:dev', 'stale_registration:haproxy:dev', 'stale_registration:portainer:qa']);
  });

  it('reports a Portainer environment whose public URL is not the row\'s http port, or has none', () => {
    const s = snapshot([dev, uat]);
    s.registrations.portainer = { ok: true, value: [
      { ...regs(dev).portainer, details: { publicUrl: 'http://127.0.0.1:18080' } }, { ...regs(uat).portainer, details: { publicUrl: null } }] };
    const items = diffFleet(s);
    expect(items.map((i) => [i.id, i.message])).toEqual([
      ['stale_registration:portainer:dev', 'the Portainer environment of dev points at http://127.0.0.1:18080; the row\'s http port is 20001'],
      ['stale_registration:portainer:uat', 'the Portainer environment of uat has no public URL; it should be the cluster\'s http port 20011']]);
    expect(items[0]!.repair.action).toEqual({ type: 'ensure_registration', registrar: 'portainer', cluster: 'dev' });
  });

  it('reports ports and subnet that differ from the row, and a stopped cluster', () => {
    const s = snapshot([dev, uat]);
    s.clusters.k3d = { ok: true, value: [live(dev, { subnet: '10.99.0.0/24', status: 'stopped', ports: live(dev).ports.map((p) => (p.containerPort === 80 ? { ...p, hostPort: 18080 } : p)) })] };
    const items = diffFleet(s);
    expect(items.map((i) => i.id)).toEqual(['api_unreachable:dev', 'port_mismatch:dev', 'subnet_mismatch:dev']);
    expect(items[1]!.message).toContain('20001→80');
    expect(items[1]!.repair.action.type).toBe('update_row_from_live');
    expect(items[0]!.message).toBe('cluster dev is stopped, so its API server does not answer');
    expect(items[0]!.repair).toMatchObject({ action: { type: 'start_cluster', cluster: 'dev' }, destructive: false,
      description: 'start cluster dev (`k3d cluster start dev`) and wait until its API server answers' });
    expect(items[0]!.alternative).toMatchObject({ action: { type: 'replace_cluster', cluster: 'dev' }, destructive: true });
  });

  it('reports an API server that does not answer', () => {
    const s = snapshot([dev]);
    s.api = { ok: true, value: { probed: ['dev'], unreachable: { dev: 'ECONNREFUSED at 127.0.0.1:6550' } } };
    const items = diffFleet(s);
    expect(items.map((i) => [i.id, i.message])).toEqual([['api_unreachable:dev', 'the API server of cluster dev does not answer (ECONNREFUSED at 127.0.0.1:6550)']]);
    expect(items[0]).toMatchObject({ provider: 'k3d', repair: { action: { type: 'start_cluster', cluster: 'dev' }, destructive: false },
      alternative: { action: { type: 'replace_cluster', cluster: 'dev' }, destructive: true } });
  });

  it('names the kind way to start a stopped kind cluster: its node containers', () => {
    const s = snapshot([uat]);
    s.clusters.kind = { ok: true, value: [live(uat, { status: 'degraded' })] };
    const [item] = diffFleet(s);
    expect(item).toMatchObject({ id: 'api_unreachable:uat', message: 'cluster uat is degraded, so its API server does not answer' });
    expect(item!.repair.description).toBe('start cluster uat (`docker start uat-control-plane`) and wait until its API server answers');
  });

  it('skips what it could not check and says so', () => {
    const s = snapshot([dev]);
    s.branches = { ok: false, error: 'the Git remote answered 503', hint: 'Check the Git service.' };
    s.registrations.portainer = { ok: false, error: 'Portainer is unreachable', hint: 'Start it.' };
    expect(diffFleet(s)).toEqual([]);
    expect(uncheckedSources(s).map((u) => u.source)).toEqual(['git', 'registrar:portainer']);
  });
});

describe('choosing repairs', () => {
  it('never deletes unless asked, and adopting an orphan cluster keeps its branch', () => {
    const s = snapshot([dev]);
    s.clusters.k3d = { ok: true, value: [live(dev), live(row('scratch', 'k3d'))] };
    if (s.branches.ok) s.branches.value.push({ name: 'scratch', sha: 'd' });
    s.clusters.kind = { ok: true, value: [live(row('tmp', 'kind'))] };
    const items = diffFleet(s);
    const safe = chooseRepairs(items);
    expect(orderedActions(safe)).toEqual([{ type: 'adopt_cluster', cluster: 'scratch', provider: 'k3d' }, { type: 'adopt_cluster', cluster: 'tmp', provider: 'kind' }]);
    expect(safe.find((r) => r.itemId === 'orphan_branch:scratch')?.note).toContain('adopting');
    const deleting = chooseRepairs(items, { destructive: ['orphan_cluster:tmp'] });
    expect(orderedActions(deleting)).toEqual([{ type: 'adopt_cluster', cluster: 'scratch', provider: 'k3d' }, { type: 'delete_cluster', cluster: 'tmp', provider: 'kind' }]);
  });

  it('starts a stopped or silent cluster by default, and replaces it only when asked', () => {
    const s = snapshot([dev, uat]);
    s.clusters.k3d = { ok: true, value: [live(dev, { status: 'stopped' })] };
    s.api = { ok: true, value: { probed: ['uat'], unreachable: { uat: 'ECONNREFUSED at 127.0.0.1:6550' } } };
    const safe = chooseRepairs(diffFleet(s));
    expect(safe.map((r) => [r.itemId, r.choice?.action, r.choice?.destructive])).toEqual([
      ['api_unreachable:dev', { type: 'start_cluster', cluster: 'dev' }, false], ['api_unreachable:uat', { type: 'start_cluster', cluster: 'uat' }, false]]);
    expect(orderedActions(chooseRepairs(diffFleet(s), { destructive: ['api_unreachable:dev'] }))).toEqual([
      { type: 'replace_cluster', cluster: 'dev' }, { type: 'start_cluster', cluster: 'uat' }]);
    expect(orderedActions(chooseRepairs(diffFleet(s), { destructive: ['api_unreachable'] }))).toEqual([
      { type: 'replace_cluster', cluster: 'dev' }, { type: 'replace_cluster', cluster: 'uat' }]);
  });

  it('fingerprints what the plan depends on, not when it was taken', () => {
    const a = snapshot([dev]);
    const b = { ...snapshot([dev]), takenAt: '2030-01-01T00:00:00.000Z' };
    expect(snapshotFingerprint(a)).toBe(snapshotFingerprint(b));
    const c = snapshot([{ ...dev, httpPort: 20005 }]);
    expect(snapshotFingerprint(c)).not.toBe(snapshotFingerprint(a));
  });
});
