import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../../core/audit/audit-log.js';
import type { Engine } from '../../../core/engine.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { openTestEngine } from '../../support/engine.js';

const KINDLER_CSV = `# Kindler environments
# env,provider,node_port,pf_port,register_portainer,haproxy_route,http_port,https_port,cluster_subnet
env,provider,node_port,pf_port,register_portainer,haproxy_route,http_port,https_port,cluster_subnet
devops,k3d,30080,19000,false,false,10800,10843,10.100.0.0/16

dev,kind,30080,19001,true,true,18091,18443,
uat,kind,30080,19002,1,0,18092,18444,
prod,kind,30080,19003,true,true,18093,18445,
dev-k3d,k3d,30080,19101,true,true,18191,18543,10.101.0.0/16
uat-k3d,k3d,30080,19102,TRUE,False,18192,18544,10.102.0.0/16
prod-k3d,k3d,30080,19103,true,true,18193,18545,10.103.0.0/16
`;

describe.each(DATABASE_KINDS)('CSV import on %s', (kind) => {
  let engine: Engine;
  let close: () => Promise<void>;
  afterEach(async () => close?.());

  async function open(): Promise<void> {
    ({ engine, close } = await openTestEngine(kind));
  }

  it('imports Kindler\'s file, skips devops (counted as Kindler counts: not in total), and is idempotent', async () => {
    await open();
    const first = await engine.inventory.importCsv(KINDLER_CSV, 'environments.csv');
    expect(first).toMatchObject({ total: 6, imported: 6, skipped: 1, failed: 0, errors: [] });
    const uat = await engine.inventory.show('uat');
    expect([uat.registerPortainer, uat.haproxyRoute, uat.httpPort]).toEqual([true, false, 18092]);
    expect((await engine.inventory.show('uat-k3d')).subnet).toBe('10.102.0.0/16');
    const second = await engine.inventory.importCsv(KINDLER_CSV, 'environments.csv');
    expect(second).toMatchObject({ total: 6, imported: 0, skipped: 7, failed: 0 });
    expect((await engine.inventory.list()).length).toBe(6);
  });

  it('reports malformed, duplicate and conflicting rows with line and reason, importing the good ones whole', async () => {
    await open();
    await engine.inventory.add({ name: 'existing', provider: 'k3d', subnet: '10.200.0.0/16', httpPort: 18500 });
    const csv = [
      'env,provider,node_port,pf_port,register_portainer,haproxy_route,http_port,https_port,cluster_subnet',
      'good,kind,30080,19001,true,true,18091,18443,',
      'bad-bool,kind,30080,19002,maybe,true,18092,18444,',
      'bad-port,kind,30080,abc,true,true,18093,18445,',
      'Bad_Name,kind,30080,19004,true,true,18094,18446,',
      'good,kind,30080,19005,true,true,18095,18447,',
      'port-clash,kind,30080,19006,true,true,18500,18448,',
      'net-clash,k3d,30080,19007,true,true,18097,18449,10.200.5.0/24',
      'no-provider,,30080,19008,true,true,18098,18450,',
      'too,many,1,2,true,true,3,4,10.0.0.0/8,extra',
    ].join('\n');
    const report = await engine.inventory.importCsv(csv, 'bad.csv');
    expect(report).toMatchObject({ total: 9, imported: 1, skipped: 0, failed: 8 });
    expect(report.errors.map((e) => [e.line, e.name])).toEqual([
      [3, 'bad-bool'], [4, 'bad-port'], [5, 'Bad_Name'], [6, 'good'], [7, 'port-clash'], [8, 'net-clash'], [9, 'no-provider'], [10, 'too'],
    ]);
    expect(report.errors[0]!.reason).toMatch(/register_portainer "maybe" is not a boolean/);
    expect(report.errors[3]!.reason).toBe('duplicate of line 2');
    expect(report.errors[4]!.reason).toMatch(/host port 18500 is already used by cluster "existing"/);
    expect(report.errors[5]!.reason).toMatch(/overlaps 10.200.0.0\/16 of k3d cluster "existing"/);
    expect((await engine.inventory.list()).map((c) => c.name)).toEqual(['existing', 'good']);
    // The failed rows left no host ports behind.
    const ports = await engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cluster_host_ports');
    expect(ports.rows[0]!.n).toBe(6);
    // The audit log says the import was partial, with its counts, and records the one row it added.
    const [importEntry, rowEntry] = await listAudit(engine.db, 2);
    expect([importEntry!.action, importEntry!.target, importEntry!.result]).toEqual(['cluster.import-csv', 'bad.csv', 'partial']);
    expect(importEntry!.details).toMatchObject({ total: 9, imported: 1, failed: 8, errors: expect.arrayContaining([expect.objectContaining({ line: 7, name: 'port-clash' })]) });
    expect([rowEntry!.action, rowEntry!.target, rowEntry!.result, rowEntry!.details?.source]).toEqual(['cluster.add', 'good', 'ok', 'bad.csv']);
  });

  it('an import whose rows all go in is audited ok, one entry per added cluster', async () => {
    await open();
    await engine.inventory.importCsv(KINDLER_CSV, 'environments.csv');
    const entries = await listAudit(engine.db);
    expect(entries.map((e) => [e.action, e.result])).toEqual([
      ['cluster.import-csv', 'ok'], ...Array.from({ length: 6 }, () => ['cluster.add', 'ok']),
    ]);
    expect(entries.slice(1).map((e) => e.target).sort()).toEqual(['dev', 'dev-k3d', 'prod', 'prod-k3d', 'uat', 'uat-k3d']);
  });

  it('exports Kindler\'s format exactly, which Kindler\'s reader and the import read back unchanged', async () => {
    await open();
    await engine.inventory.importCsv(KINDLER_CSV, 'environments.csv');
    const exported = await engine.inventory.exportCsv();
    const lines = exported.trimEnd().split('\n');
    expect(lines[0]).toBe('env,provider,node_port,pf_port,register_portainer,haproxy_route,http_port,https_port,cluster_subnet');
    expect(lines.filter((line) => line.startsWith('#'))).toEqual([]);
    // Kindler's scripts read environments with awk, skipping the first line and comments.
    const kindler = await execa('awk', ['-F,', 'NR>1 && !/^#/ && NF { print $1 }'], { input: exported });
    expect(kindler.stdout.split('\n')).toEqual(['dev', 'dev-k3d', 'prod', 'prod-k3d', 'uat', 'uat-k3d']);
    const before = await engine.inventory.list();
    for (const cluster of before) await engine.inventory.remove(cluster.name);
    const report = await engine.inventory.importCsv(exported, 'export.csv');
    expect(report).toMatchObject({ imported: 6, failed: 0 });
    const strip = (list: typeof before) => list.map(({ createdAt, updatedAt, ...rest }) => rest);
    expect(strip(await engine.inventory.list())).toEqual(strip(before));
  });
});
