import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import type { Engine } from '../../../core/engine.js';
import { FleetError } from '../../../core/errors.js';
import { DATABASE_KINDS, openTestDatabase } from '../../support/databases.js';
import { TEST_ACTOR } from '../../support/engine.js';

/** An engine whose ranges come from a config file, as a user would configure them. */
async function engineWithConfig(kind: 'pglite' | 'postgres', file: Record<string, unknown>): Promise<{ engine: Engine; close(): Promise<void> }> {
  const test = await openTestDatabase(kind);
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-ranges-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(file));
  const engine = await createEngine(resolveConfig({ dataDir: dir, configFile }, { HOME: dir }), { db: test.db, actor: TEST_ACTOR });
  return { engine, async close() { await engine.close(); await test.close(); } };
}

describe.each(DATABASE_KINDS)('allocation from configured ranges on %s', (kind) => {
  let close: () => Promise<void> = async () => undefined;
  afterEach(async () => {
    await close();
    close = async () => undefined;
  });

  it('allocates host ports only from ports.min-ports.max, and says so with a hint when they run out (FDX01)', async () => {
    const opened = await engineWithConfig(kind, { ports: { min: 31000, max: 31007 } });
    close = opened.close;
    const { inventory } = opened.engine;
    const a = await inventory.add({ name: 'a', provider: 'kind' });
    const b = await inventory.add({ name: 'b', provider: 'kind' });
    expect([a.pfPort, a.httpPort, a.httpsPort, b.pfPort, b.httpPort, b.httpsPort]).toEqual([31000, 31001, 31002, 31003, 31004, 31005]);
    // Two ports are left; a cluster needs three.
    const error = await inventory.add({ name: 'c', provider: 'kind' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ code: 'EXHAUSTED', message: 'no free host port is left in the configured range' });
    expect((error as FleetError).hint).toMatch(/ports\.min\/ports\.max/);
    expect((await inventory.list()).map((c) => c.name)).toEqual(['a', 'b']);
    const ports = await opened.engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cluster_host_ports');
    expect(ports.rows[0]!.n).toBe(6);
  });

  it('allocates k3d subnets only from subnets.pool at subnets.prefix, and says so with a hint when they run out (FDX02)', async () => {
    const opened = await engineWithConfig(kind, { subnets: { pool: '10.50.0.0/23', prefix: 24 } });
    close = opened.close;
    const { inventory } = opened.engine;
    expect((await inventory.add({ name: 'a', provider: 'k3d' })).subnet).toBe('10.50.0.0/24');
    expect((await inventory.add({ name: 'b', provider: 'k3d' })).subnet).toBe('10.50.1.0/24');
    // kind clusters need no subnet, so they still fit.
    expect((await inventory.add({ name: 'k', provider: 'kind' })).subnet).toBeNull();
    const error = await inventory.add({ name: 'c', provider: 'k3d' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EXHAUSTED', message: 'no free k3d subnet is left in the configured pool' });
    expect((error as FleetError).hint).toMatch(/subnets\.pool/);
    expect((await inventory.list()).map((c) => c.name)).toEqual(['a', 'b', 'k']);
  });

  it('falls back to the lowest gap once the top of the range is used (ports and subnets)', async () => {
    const opened = await engineWithConfig(kind, { ports: { min: 32000, max: 32008 }, subnets: { pool: '10.60.0.0/22', prefix: 24 } });
    close = opened.close;
    const { inventory } = opened.engine;
    for (const name of ['a', 'b', 'c']) await inventory.add({ name, provider: 'k3d' });
    await inventory.remove('b');
    // max+1 is past the range and 10.60.3.0/24 is free at the top, so ports come from b's gap.
    const d = await inventory.add({ name: 'd', provider: 'k3d' });
    expect([d.pfPort, d.httpPort, d.httpsPort]).toEqual([32003, 32004, 32005]);
    expect(d.subnet).toBe('10.60.3.0/24');
    await inventory.remove('a');
    await inventory.remove('c');
    const f = await inventory.add({ name: 'f', provider: 'kind' });
    expect([f.pfPort, f.httpPort, f.httpsPort]).toEqual([32006, 32007, 32008]);
    // Both tops are used now (32008; the pool's last block is d's): g gets the lowest port gap and subnet block.
    const g = await inventory.add({ name: 'g', provider: 'k3d' });
    expect([g.pfPort, g.httpPort, g.httpsPort]).toEqual([32000, 32001, 32002]);
    expect(g.subnet).toBe('10.60.0.0/24');
  });

  it('refuses unusable ranges in the config file with a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-ranges-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ports: { min: 40000, max: 40001 } }));
    expect(() => resolveConfig({ configFile }, { HOME: dir })).toThrow(/port range 40000-40001 is not usable/);
    writeFileSync(configFile, JSON.stringify({ subnets: { pool: '10.0.0.0/24', prefix: 16 } }));
    expect(() => resolveConfig({ configFile }, { HOME: dir })).toThrow(/subnet prefix \/16 does not fit pool 10\.0\.0\.0\/24/);
  });
});
