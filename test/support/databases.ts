import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../core/db/database.js';
import { migrate } from '../../core/db/migrate.js';
import { PgDatabase } from '../../core/db/pg-database.js';
import { PgliteDatabase } from '../../core/db/pglite-database.js';

export interface TestDatabase {
  db: Database;
  /** For postgres: a connection URL other processes can use. */
  url: string | null;
  close(): Promise<void>;
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty database on the harness's PostgreSQL server. */
export async function freshPostgresUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = inject('postgresUrl');
  const name = `fleetdeck_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function openTestDatabase(kind: 'pglite' | 'postgres', options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  let result: TestDatabase;
  if (kind === 'pglite') {
    const db = await PgliteDatabase.open(null);
    result = { db, url: null, close: () => db.close() };
  } else {
    const { url, drop } = await freshPostgresUrl();
    const db = new PgDatabase(url);
    result = { db, url, async close() { await db.close(); await drop(); } };
  }
  if (options.migrated !== false) await migrate(result.db);
  return result;
}

export const DATABASE_KINDS = ['pglite', 'postgres'] as const;
