import { lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/config.js';
import { EmbeddedDatabase, ownerAddress } from '../../../core/db/embedded/embedded-database.js';
import type { EmbeddedOptions } from '../../../core/db/embedded/embedded-database.js';

const opened: EmbeddedDatabase[] = [];

async function open(dir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const db = await EmbeddedDatabase.open(dir, options);
  opened.push(db);
  return db;
}

/** Talks to the owner's socket by hand: sends lines, collects every line back until the owner closes. */
function rawSession(dir: string, lines: string[]): Promise<{ answers: unknown[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(ownerAddress(dir));
    let received = '';
    const finish = (closed: boolean) => {
      socket.destroy();
      resolve({ answers: received.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown), closed });
    };
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      for (const line of lines) socket.write(`${line}\n`);
    });
    setTimeout(() => finish(false), 2000).unref();
  });
}

const QUERY = JSON.stringify({ id: 2, op: 'query', sql: 'SELECT current_user AS who, count(*)::int AS n FROM secrets', params: [] });

function modesUnder(root: string): string[] {
  const loose: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if ((stat.mode & 0o077) !== 0) loose.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(root);
  return loose;
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

  it('serves only connections that present the owner token: others are refused and learn nothing', async () => {
    const dir = tempDir();
    const owner = await open(dir);
    await owner.exec("CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('canary-7f3a')");
    const noHello = await rawSession(dir, [QUERY]);
    const wrongToken = await rawSession(dir, [JSON.stringify({ id: 1, op: 'hello', token: 'guess' }), QUERY]);
    for (const session of [noHello, wrongToken]) {
      expect(session.closed).toBe(true);
      expect(session.answers).toHaveLength(1);
      expect(session.answers[0]).toMatchObject({ ok: false, error: { code: '28000' } });
      expect(JSON.stringify(session.answers)).not.toMatch(/canary|postgres|"n"/);
    }
    const token = readFileSync(join(dir, 'owner.token'), 'utf8');
    const rightToken = await rawSession(dir, [JSON.stringify({ id: 1, op: 'hello', token }), QUERY]);
    expect(rightToken.answers).toEqual([{ id: 1, ok: true }, expect.objectContaining({ id: 2, ok: true })]);
  });

  it('keeps the data directory to its OS user: 0700 directories, 0600 files, the token unreadable to others', async () => {
    const dir = join(tempDir(), 'fresh');
    const owner = await open(dir);
    await owner.exec('CREATE TABLE t (id int)');
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(dir, 'owner.token')).mode & 0o777).toBe(0o600);
    expect(modesUnder(dir)).toEqual([]);
  });

  it.runIf(userInfo().uid === 0)('another OS user (nobody) can neither read the token nor get an answer from the owner', async () => {
    const dir = tempDir();
    await open(dir);
    const script = join(mkdtempSync(join(tmpdir(), 'fleetdeck-nobody-')), 'probe.cjs');
    writeFileSync(script, `
      const fs = require('fs'); const net = require('net');
      let token = 'none';
      try { token = fs.readFileSync(process.argv[2] + '/owner.token', 'utf8'); } catch (e) { console.log('token: ' + e.code); }
      const s = net.connect(Buffer.from(process.argv[3], 'hex').toString('latin1'));
      s.on('connect', () => s.write(JSON.stringify({ id: 1, op: 'hello', token }) + '\\n' + ${JSON.stringify(QUERY)} + '\\n'));
      s.on('data', (d) => process.stdout.write('answer: ' + d));
      s.on('close', () => console.log('closed'));
    `, { mode: 0o644 });
    for (const path of [script, join(script, '..')]) await execa('chmod', ['a+rx', path]);
    const probe = await execa('runuser', ['-u', 'nobody', '--', process.execPath, script, dir,
      Buffer.from(ownerAddress(dir), 'latin1').toString('hex')], { reject: false, timeout: 20_000 });
    expect(probe.stdout).toContain('token: EACCES');
    expect(probe.stdout).toContain('"code":"28000"');
    expect(probe.stdout).toContain('closed');
    expect(probe.stdout).not.toMatch(/"ok":true/);
  }, 30_000);

  it('a malformed message closes only the connection that sent it; the owner and its other clients go on', async () => {
    const dir = tempDir();
    const owner = await open(dir);
    const client = await open(dir);
    await owner.exec('CREATE TABLE t (id int)');
    const token = readFileSync(join(dir, 'owner.token'), 'utf8');
    const hello = JSON.stringify({ id: 1, op: 'hello', token });
    for (const garbage of ['{not json', '[1,2,3]', JSON.stringify({ id: 'x', op: 'query' }), JSON.stringify({ id: 3, op: 'drop-everything' })]) {
      const session = await rawSession(dir, [hello, garbage, QUERY]);
      expect(session.closed).toBe(true);
      expect(session.answers).toEqual([{ id: 1, ok: true }]);
    }
    const unauthenticated = await rawSession(dir, ['x'.repeat(4096)]);
    expect(unauthenticated).toEqual({ answers: [], closed: true });
    await client.query('INSERT INTO t VALUES (1)');
    expect((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 1 }]);
    expect(owner.isOwner).toBe(true);
    expect(client.kind).toBe('remote');
  });

  it('rolls back a client\'s idle transaction after the timeout, frees the database and tells the client', async () => {
    const dir = tempDir();
    const owner = await open(dir, { idleTransactionTimeoutMs: 400 });
    const client = await open(dir);
    await owner.exec('CREATE TABLE t (id int)');
    let resume: () => void = () => undefined;
    const idle = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const stuck = client.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      await idle; // the client went quiet with its transaction open
      await tx.query('INSERT INTO t VALUES (2)');
    }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    // The owner's own query waits for the database, which the idle transaction holds, until the timeout.
    expect((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
    expect(Date.now() - started).toBeLessThan(5_000);
    resume();
    const error = await stuck;
    expect(error).toMatchObject({ code: '25P03' });
    expect((error as Error).message).toMatch(/idle for more than 0.4 s and was rolled back/);
    await client.query('INSERT INTO t VALUES (3)');
    expect((await owner.query<{ id: number }>('SELECT id FROM t')).rows).toEqual([{ id: 3 }]);
  });

  it('takes the idle-transaction limit from the config file (embedded.idleTransactionTimeoutSeconds), 10 s by default', () => {
    const dir = tempDir();
    const configFile = join(dir, 'config.json');
    expect(resolveConfig({ dataDir: dir }, { HOME: dir }).idleTransactionTimeoutMs).toBe(10_000);
    writeFileSync(configFile, JSON.stringify({ embedded: { idleTransactionTimeoutSeconds: 2.5 } }));
    expect(resolveConfig({ dataDir: dir, configFile }, { HOME: dir }).idleTransactionTimeoutMs).toBe(2500);
    writeFileSync(configFile, JSON.stringify({ embedded: { idleTransactionTimeoutSeconds: 0 } }));
    expect(() => resolveConfig({ dataDir: dir, configFile }, { HOME: dir })).toThrow(/idleTransactionTimeoutSeconds 0 is not usable/);
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
