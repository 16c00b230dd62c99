import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedDatabase } from '../../../core/db/embedded/embedded-database.js';

const opened: EmbeddedDatabase[] = [];

async function open(dir: string): Promise<EmbeddedDatabase> {
  const db = await EmbeddedDatabase.open(dir);
  opened.push(db);
  return db;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fleetdeck-embedded-'));
}

afterEach(async () => {
  for (const db of opened.splice(0).reverse()) await db.close().catch(() => undefined);
});

describe('an embedded data directory shared by several users', () => {
  it('the first opener owns it and the second forwards queries, errors and transactions to it', async () => {
    const dir = tempDir();
    const owner = await open(dir);
    const client = await open(dir);
    expect(owner.isOwner).toBe(true);
    expect(client.kind).toBe('remote');
    await client.exec('CREATE TABLE t (id int PRIMARY KEY)');
    await client.query('INSERT INTO t VALUES ($1)', [1]);
    const duplicate = await client.query('INSERT INTO t VALUES (1)').catch((e: unknown) => e);
    expect((duplicate as { code: string }).code).toBe('23505');
    await client.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (2)');
      throw new Error('changed my mind');
    }).catch(() => undefined);
    await client.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (3)');
    });
    const rows = await owner.query<{ id: number }>('SELECT id FROM t ORDER BY id');
    expect(rows.rows.map((r) => r.id)).toEqual([1, 3]);
  });

  it('notifications reach every process, whichever one sent them', async () => {
    const dir = tempDir();
    const owner = await open(dir);
    const client = await open(dir);
    const atOwner: string[] = [];
    const atClient: string[] = [];
    await owner.listen('ch', (p) => atOwner.push(p));
    await client.listen('ch', (p) => atClient.push(p));
    await client.notify('ch', 'from-client');
    await owner.notify('ch', 'from-owner');
    await expect.poll(() => atClient.length).toBe(2);
    expect(atOwner.sort()).toEqual(['from-client', 'from-owner']);
    expect(atClient.sort()).toEqual(['from-client', 'from-owner']);
  });

  it('when the owner exits, the other process takes over with the data and its subscriptions intact', async () => {
    const dir = tempDir();
    const owner = await open(dir);
    const client = await open(dir);
    await owner.exec('CREATE TABLE t (id int)');
    await owner.query('INSERT INTO t VALUES (42)');
    const heard: string[] = [];
    await client.listen('ch', (p) => heard.push(p));
    await owner.close();
    const rows = await client.query<{ id: number }>('SELECT id FROM t');
    expect(rows.rows).toEqual([{ id: 42 }]);
    expect(client.isOwner).toBe(true);
    const third = await open(dir);
    await third.notify('ch', 'still listening');
    await expect.poll(() => heard).toEqual(['still listening']);
  });

  it('a process killed with SIGKILL while owning the directory leaves it usable', async () => {
    const dir = tempDir();
    const child = execa('node', [join(process.cwd(), 'dist/test/support/workers/hold-owner.js'), dir]);
    const ready = await new Promise<string>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    });
    expect(ready).toBe('ready owner');
    child.kill('SIGKILL');
    await child.catch(() => undefined);
    const db = await open(dir);
    expect(db.isOwner).toBe(true);
    const rows = await db.query<{ name: string }>('SELECT name FROM survivors');
    expect(rows.rows).toEqual([{ name: 'before-crash' }]);
  }, 60_000);
});
