import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqlState } from '../../../core/db/database.js';
import { isUpToDate, loadMigrations, migrate } from '../../../core/db/migrate.js';
import { FleetError } from '../../../core/errors.js';
import { DATABASE_KINDS, openTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-sql-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let test: TestDatabase;
  afterEach(async () => test?.close());

  it('applies every migration once, in order, and records checksums', async () => {
    test = await openTestDatabase(kind, { migrated: false });
    const first = await migrate(test.db);
    expect(first.applied).toEqual(loadMigrations().map((m) => m.name));
    const second = await migrate(test.db);
    expect(second.applied).toEqual([]);
    expect(await isUpToDate(test.db)).toBe(true);
  });

  it('refuses an applied migration that was edited since', async () => {
    test = await openTestDatabase(kind, { migrated: false });
    await migrate(test.db, loadMigrations(migrationsDir({ '001_a.sql': 'CREATE TABLE a (id int);' })));
    const edited = loadMigrations(migrationsDir({ '001_a.sql': 'CREATE TABLE a (id bigint);' }));
    await expect(migrate(test.db, edited)).rejects.toThrow(/was edited after it was applied/);
  });

  it('refuses a database migrated by a newer fleetdeck', async () => {
    test = await openTestDatabase(kind, { migrated: false });
    await migrate(test.db, loadMigrations(migrationsDir({ '001_a.sql': 'SELECT 1;', '002_b.sql': 'SELECT 2;' })));
    const older = loadMigrations(migrationsDir({ '001_a.sql': 'SELECT 1;' }));
    const error = await migrate(test.db, older).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).hint).toMatch(/upgrade/);
  });

  it('leaves nothing of a failed migration and keeps the earlier ones', async () => {
    test = await openTestDatabase(kind, { migrated: false });
    const files = loadMigrations(migrationsDir({
      '001_a.sql': 'CREATE TABLE a (id int);',
      '002_b.sql': 'CREATE TABLE b (id int); INSERT INTO nowhere VALUES (1);',
    }));
    await expect(migrate(test.db, files)).rejects.toThrow(/002_b.sql failed/);
    const tables = await test.db.query<{ name: string | null }>("SELECT to_regclass('a')::text AS name UNION ALL SELECT to_regclass('b')::text");
    expect(tables.rows.map((r) => r.name)).toEqual(['a', null]);
  });

  it('keeps the audit log append-only', async () => {
    test = await openTestDatabase(kind);
    await test.db.query("INSERT INTO audit_log (actor, host, action, result) VALUES ('ana', 'jump', 'x', 'ok')");
    for (const statement of ['UPDATE audit_log SET result = \'failed\'', 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      const error = await test.db.query(statement).catch((e: unknown) => e);
      expect((error as { code: string }).code).toBe(SqlState.appendOnly);
    }
    expect((await test.db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0]).toEqual({ n: 1 });
  });
});

describe('concurrent migrators on postgres', () => {
  it('two processes migrating at once apply each migration exactly once', async () => {
    const a = await openTestDatabase('postgres', { migrated: false });
    const { PgDatabase } = await import('../../../core/db/pg-database.js');
    const b = new PgDatabase(a.url!);
    try {
      const [ra, rb] = await Promise.all([migrate(a.db), migrate(b)]);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(loadMigrations().map((m) => m.name));
    } finally {
      await b.close();
      await a.close();
    }
  });
});
