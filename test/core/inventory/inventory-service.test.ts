import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../../core/audit/audit-log.js';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import type { EngineEvent } from '../../../core/events.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { openTestEngine } from '../../support/engine.js';

describe.each(DATABASE_KINDS)('inventory on %s', (kind) => {
  let engine: Engine;
  let close: () => Promise<void>;
  afterEach(async () => close?.());

  async function open(readonly = false): Promise<void> {
    const opened = await openTestEngine(kind, { readonly });
    engine = opened.engine;
    close = opened.close;
  }

  it('allocates distinct host ports and non-overlapping k3d subnets, and kind clusters share no subnet', async () => {
    await open();
    const a = await engine.inventory.add({ name: 'dev-k3d', provider: 'k3d' });
    const b = await engine.inventory.add({ name: 'uat-k3d', provider: 'k3d' });
    const c = await engine.inventory.add({ name: 'dev', provider: 'kind' });
    const ports = [a, b, c].flatMap((x) => [x.pfPort, x.httpPort, x.httpsPort]);
    expect(new Set(ports).size).toBe(9);
    expect(a.subnet).toMatch(/^10\.\d+\.\d+\.0\/24$/);
    expect(b.subnet).not.toBe(a.subnet);
    expect(c.subnet).toBeNull();
    expect(c.nodePort).toBe(30080);
    expect((await engine.inventory.list()).map((x) => x.name)).toEqual(['dev', 'dev-k3d', 'uat-k3d']);
  });

  it('lists every cluster with every field exactly as `show` reads it', async () => {
    await open();
    expect(await engine.inventory.list()).toEqual([]);
    await engine.inventory.add({ name: 'uat-k3d', provider: 'k3d', subnet: '10.77.3.0/24', nodePort: 31000 });
    await engine.inventory.add({ name: 'dev', provider: 'kind' });
    await engine.inventory.add({ name: 'a1', provider: 'k3d' });
    await engine.db.query('UPDATE clusters SET register_portainer = false WHERE name = $1', ['dev']);
    await engine.db.query('UPDATE clusters SET haproxy_route = false WHERE name = $1', ['uat-k3d']);
    const listed = await engine.inventory.list();
    expect(listed.map((c) => c.name)).toEqual(['a1', 'dev', 'uat-k3d']);
    expect(listed).toEqual([await engine.inventory.show('a1'), await engine.inventory.show('dev'), await engine.inventory.show('uat-k3d')]);
    expect(listed[1]).toMatchObject({ subnet: null, registerPortainer: false, haproxyRoute: true });
    expect(listed[2]).toMatchObject({ subnet: '10.77.3.0/24', nodePort: 31000, registerPortainer: true, haproxyRoute: false });
    expect(listed[2]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('keeps explicit values and names the cluster holding a taken port or overlapping subnet', async () => {
    await open();
    await engine.inventory.add({ name: 'dev', provider: 'k3d', subnet: '10.101.0.0/16', httpPort: 18090 });
    const portClash = await engine.inventory.add({ name: 'uat', provider: 'kind', pfPort: 18090 }).catch((e: unknown) => e);
    expect(portClash).toBeInstanceOf(FleetError);
    expect((portClash as FleetError).code).toBe('CONFLICT');
    expect((portClash as FleetError).message).toBe('host port 18090 is already used by cluster "dev" (its http port)');
    const subnetClash = await engine.inventory.add({ name: 'uat', provider: 'k3d', subnet: '10.101.4.0/24' }).catch((e: unknown) => e);
    expect((subnetClash as FleetError).message).toBe('subnet 10.101.4.0/24 overlaps 10.101.0.0/16 of k3d cluster "dev"');
    const duplicate = await engine.inventory.add({ name: 'dev', provider: 'kind' }).catch((e: unknown) => e);
    expect((duplicate as FleetError).message).toBe('cluster "dev" already exists');
    expect((await engine.inventory.list()).map((x) => x.name)).toEqual(['dev']);
  });

  it('lets kind clusters share a subnet but never k3d clusters', async () => {
    await open();
    await engine.inventory.add({ name: 'a', provider: 'kind', subnet: '172.18.0.0/16' });
    await engine.inventory.add({ name: 'b', provider: 'kind', subnet: '172.18.0.0/16' });
    await engine.inventory.add({ name: 'c', provider: 'k3d', subnet: '172.18.0.0/16' });
    await expect(engine.inventory.add({ name: 'd', provider: 'k3d', subnet: '172.18.128.0/17' })).rejects.toThrow(/overlaps/);
  });

  it('removes a row, frees its ports for reuse, and reports a missing one with a hint', async () => {
    await open();
    const dev = await engine.inventory.add({ name: 'dev', provider: 'kind' });
    await engine.inventory.remove('dev');
    const again = await engine.inventory.add({ name: 'uat', provider: 'kind', pfPort: dev.pfPort });
    expect(again.pfPort).toBe(dev.pfPort);
    const missing = await engine.inventory.remove('dev').catch((e: unknown) => e);
    expect((missing as FleetError).code).toBe('NOT_FOUND');
    expect((missing as FleetError).hint).toMatch(/clusters ls/);
  });

  it('keeps updated_at current', async () => {
    await open();
    const dev = await engine.inventory.add({ name: 'dev', provider: 'kind' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await engine.db.query('UPDATE clusters SET haproxy_route = false WHERE name = $1', ['dev']);
    const after = await engine.inventory.show('dev');
    expect(after.updatedAt > dev.updatedAt).toBe(true);
    expect(after.createdAt).toBe(dev.createdAt);
  });

  it('audits every mutating attempt with who, what, target and result, invalid input included', async () => {
    await open();
    await engine.inventory.add({ name: 'dev', provider: 'kind' });
    await engine.inventory.add({ name: 'dev', provider: 'kind' }).catch(() => undefined);
    await engine.inventory.add({ name: 'Bad_Name', provider: 'kind' }).catch(() => undefined);
    await engine.inventory.add({ name: 'qa', provider: 'docker' as never }).catch(() => undefined);
    await engine.inventory.remove('devops').catch(() => undefined);
    await engine.inventory.remove('dev');
    const entries = await listAudit(engine.db);
    expect(entries.map((e) => [e.actor, e.host, e.action, e.target, e.result])).toEqual([
      ['ana', 'jumpbox', 'cluster.remove', 'dev', 'ok'],
      ['ana', 'jumpbox', 'cluster.remove', 'devops', 'invalid'],
      ['ana', 'jumpbox', 'cluster.add', 'qa', 'invalid'],
      ['ana', 'jumpbox', 'cluster.add', 'Bad_Name', 'invalid'],
      ['ana', 'jumpbox', 'cluster.add', 'dev', 'failed'],
      ['ana', 'jumpbox', 'cluster.add', 'dev', 'ok'],
    ]);
    expect(entries[2]!.details).toMatchObject({ code: 'VALIDATION', error: 'provider "docker" is not supported' });
  });

  it('commits a cluster, its audit entry and its notification together, or none of them', async () => {
    await open();
    await engine.inventory.add({ name: 'dev', provider: 'kind', httpPort: 18500 });
    const before = await engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    // The audit write fails (a check the row cannot pass) after the insert succeeded: the insert is rolled back too.
    await engine.db.exec("ALTER TABLE audit_log ADD CONSTRAINT no_qa CHECK (target IS DISTINCT FROM 'qa')");
    const events: EngineEvent[] = [];
    engine.events.subscribe((event) => events.push(event), ['inventory']);
    await expect(engine.inventory.add({ name: 'qa', provider: 'kind' })).rejects.toThrow();
    expect((await engine.inventory.list()).map((c) => c.name)).toEqual(['dev']);
    expect(events).toEqual([]);
    const after = await engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('emits typed events for every change', async () => {
    await open();
    const events: EngineEvent[] = [];
    engine.events.subscribe((event) => events.push(event), ['inventory']);
    await engine.inventory.add({ name: 'dev', provider: 'kind' });
    await engine.inventory.remove('dev');
    expect(events.map((e) => [e.type, e.target, e.origin])).toEqual([
      ['cluster.added', 'dev', 'local'], ['cluster.removed', 'dev', 'local'],
    ]);
  });

  it('refuses every mutation when read-only and changes nothing but the audit log\'s record of the refusal', async () => {
    await open(true);
    const error = await engine.inventory.add({ name: 'dev', provider: 'kind' }).catch((e: unknown) => e);
    expect((error as FleetError).code).toBe('READONLY');
    await expect(engine.inventory.remove('uat')).rejects.toMatchObject({ code: 'READONLY' });
    expect(await engine.inventory.list()).toEqual([]);
    expect((await listAudit(engine.db)).map((e) => [e.actor, e.action, e.target, e.result])).toEqual([
      ['ana', 'cluster.remove', 'uat', 'refused'],
      ['ana', 'cluster.add', 'dev', 'refused'],
    ]);
  });
});
