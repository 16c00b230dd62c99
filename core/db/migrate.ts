import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../errors.js';
import { packageRoot } from '../paths.js';
import type { Database, Queryable } from './database.js';

export interface Migration {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const MIGRATION_LOCK = 7_201_000;
const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir = join(packageRoot(), 'sql')): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => FILE_PATTERN.test(file))
    .sort()
    .map((file) => {
      const match = FILE_PATTERN.exec(file)!;
      const sql = readFileSync(join(dir, file), 'utf8');
      return { id: Number(match[1]), name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous && previous.id === migration.id) {
      throw new FleetError('MIGRATION', `migrations ${previous.name} and ${migration.name} share the number ${migration.id}`,
        'Each migration needs its own number; renumber the newer one.');
    }
  });
  return migrations;
}

interface AppliedRow {
  id: number;
  name: string;
  checksum: string;
}

async function ensureTable(db: Queryable): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

function verifyApplied(applied: AppliedRow[], known: Migration[]): void {
  for (const row of applied) {
    const migration = known.find((m) => m.id === row.id);
    if (!migration) {
      throw new FleetError('MIGRATION', `the database has migration ${row.name}, which this fleetdeck does not know`,
        'The database was migrated by a newer fleetdeck; upgrade this one before using it.');
    }
    if (migration.checksum !== row.checksum) {
      throw new FleetError('MIGRATION', `migration ${migration.name} was edited after it was applied`,
        'Applied migrations are never edited; restore the file and put the change in a new numbered migration.');
    }
  }
}

/**
 * Applies pending migrations in order, each in its own transaction under a transaction-scoped advisory
 * lock, so two processes never migrate at once and a failed migration leaves the earlier ones in place.
 */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<MigrationReport> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await ensureTable(tx);
  });
  const report: MigrationReport = { applied: [], alreadyApplied: 0 };
  for (const migration of migrations) {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const applied = (await tx.query<AppliedRow>('SELECT id, name, checksum FROM schema_migrations ORDER BY id')).rows;
      verifyApplied(applied, migrations);
      if (applied.some((row) => row.id === migration.id)) {
        report.alreadyApplied += 1;
        return;
      }
      const newest = applied[applied.length - 1];
      if (newest && newest.id > migration.id) {
        throw new FleetError('MIGRATION', `migration ${migration.name} is older than the applied ${newest.name}`,
          'Migrations apply in order; give the new migration a number above every applied one.');
      }
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new FleetError('MIGRATION', `migration ${migration.name} failed: ${(error as Error).message}`,
          'Nothing of this migration was applied; fix the cause and run `fleetdeck migrate` again.');
      }
      await tx.query('INSERT INTO schema_migrations (id, name, checksum) VALUES ($1, $2, $3)',
        [migration.id, migration.name, migration.checksum]);
      report.applied.push(migration.name);
    });
  }
  return report;
}

export interface SchemaStatus {
  /** False when the database has no schema_migrations table (never migrated). */
  initialised: boolean;
  applied: number;
  pending: string[];
}

const UNDEFINED_TABLE = '42P01';

/**
 * What is applied and what is pending, in one round trip (it matters when every query is forwarded to
 * another process). Throws when an applied migration was edited or is unknown to this fleetdeck.
 */
export async function schemaStatus(db: Queryable, migrations = loadMigrations()): Promise<SchemaStatus> {
  let applied: AppliedRow[];
  try {
    applied = (await db.query<AppliedRow>('SELECT id, name, checksum FROM schema_migrations ORDER BY id')).rows;
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) {
      return { initialised: false, applied: 0, pending: migrations.map((m) => m.name) };
    }
    throw error;
  }
  verifyApplied(applied, migrations);
  const done = new Set(applied.map((row) => row.id));
  return { initialised: true, applied: applied.length, pending: migrations.filter((m) => !done.has(m.id)).map((m) => m.name) };
}

/** True when every known migration is applied and none was edited; used to skip work on start-up. */
export async function isUpToDate(db: Database, migrations = loadMigrations()): Promise<boolean> {
  return (await schemaStatus(db, migrations)).pending.length === 0;
}

/** Read-only sessions never migrate: they refuse a database whose schema is behind, saying what to run. */
export async function requireCurrentSchema(db: Database, migrations = loadMigrations()): Promise<void> {
  const status = await schemaStatus(db, migrations);
  if (status.pending.length === 0) return;
  const hint = 'Read-only mode never changes the schema: run `fleetdeck migrate` once without --readonly, then try again.';
  if (!status.initialised) {
    throw new FleetError('MIGRATION', `the database ${db.target} has no fleetdeck schema yet`, hint);
  }
  throw new FleetError('MIGRATION', `the database ${db.target} is behind this fleetdeck: ${status.applied} of `
    + `${migrations.length} migrations applied (pending: ${status.pending.join(', ')})`, hint);
}
