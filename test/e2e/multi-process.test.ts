import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import type { EmbeddedDatabase } from '../../core/db/embedded/embedded-database.js';
import { createEngine } from '../../core/engine.js';
import type { Engine } from '../../core/engine.js';
import { freshPostgresUrl } from '../support/databases.js';

const WORKER = join(process.cwd(), 'dist/test/support/workers/add-clusters.js');

interface WorkerReport {
  added: number;
  errors: string[];
  /** The first add the worker ran as the embedded owner; null if it never owned the directory. */
  ownedFrom: number | null;
}

function startWorkers(target: { dataDir?: string; databaseUrl?: string }, processes: number, count: number): Promise<WorkerReport[]> {
  const runs = Array.from({ length: processes }, (_, p) =>
    execa('node', [WORKER, JSON.stringify({ ...target, prefix: `p${p}`, count })], { timeout: 240_000 }));
  return Promise.all(runs).then((done) => done.map((run) => JSON.parse(run.stdout) as WorkerReport));
}


async function assertFleetIsSound(engine: Engine, expected: number): Promise<void> {
  const clusters = await engine.inventory.list();
  expect(clusters.length).toBe(expected);
  const ports = clusters.flatMap((c) => [c.pfPort, c.httpPort, c.httpsPort]);
  expect(new Set(ports).size).toBe(ports.length);
  const overlaps = await engine.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM clusters a JOIN clusters b ON a.name < b.name AND a.provider = 'k3d' AND b.provider = 'k3d' AND a.subnet && b.subnet");
  expect(overlaps.rows[0]!.n).toBe(0);
}

describe('several fleetdeck processes allocating at once', () => {
  it('on a PostgreSQL server: 4 processes × 50 clusters end with 200 rows, no port twice, no overlapping subnet', async () => {
    const { url, drop } = await freshPostgresUrl();
    try {
      const results = await startWorkers({ databaseUrl: url }, 4, 50);
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const engine = await createEngine(resolveConfig({ databaseUrl: url }, { HOME: tmpdir() }));
      try {
        await assertFleetIsSound(engine, 200);
      } finally {
        await engine.close();
      }
    } finally {
      await drop();
    }
  }, 300_000);

  it('on one embedded data directory: the owner serves the others and hands over when it exits', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-shared-'));
    // This process owns the directory first, so every worker starts as a client forwarding to it.
    const first = await createEngine(resolveConfig({ dataDir }, { HOME: dataDir }));
    expect((first.db as EmbeddedDatabase).isOwner).toBe(true);
    const workers = startWorkers({ dataDir }, 4, 50);
    // Mid-run, the owner exits: one worker must take over and the others carry on through it.
    await expect.poll(async () => (await first.inventory.list()).length, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(40);
    await first.close();
    const results = await workers;
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    const owners = results.filter((r) => r.ownedFrom !== null);
    expect(owners.length).toBeGreaterThanOrEqual(1);
    // Whoever took over did so after having added some clusters as a client, i.e. it was handed the directory.
    expect(owners.every((r) => r.ownedFrom! > 0)).toBe(true);
    const engine = await createEngine(resolveConfig({ dataDir }, { HOME: dataDir }));
    try {
      await assertFleetIsSound(engine, 200);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
