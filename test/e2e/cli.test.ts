import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { loadMigrations, migrate } from '../../core/db/migrate.js';
import { PgDatabase } from '../../core/db/pg-database.js';
import { createEngine } from '../../core/engine.js';
import type { EngineEvent } from '../../core/events.js';
import { fleetdeck } from '../support/cli.js';
import { freshPostgresUrl } from '../support/databases.js';

describe('the fleetdeck CLI against a PostgreSQL server', () => {
  let url: string;
  const run = (...args: string[]) => fleetdeck(['--database-url', url, ...args]);

  beforeAll(async () => {
    ({ url } = await freshPostgresUrl());
  });

  it('adds, shows, lists as a table and as JSON, and removes', async () => {
    const added = await run('clusters', 'add', 'dev', '--provider', 'k3d', '--json');
    expect(added.exitCode).toBe(0);
    const cluster = JSON.parse(added.stdout) as { name: string; subnet: string; httpPort: number };
    expect(cluster.name).toBe('dev');
    const table = await run('clusters', 'ls');
    expect(table.stdout).toMatch(/^NAME\s+PROVIDER\s+SUBNET/);
    expect(table.stdout).toContain(`dev   k3d       ${cluster.subnet}`);
    const shown = await run('clusters', 'show', 'dev');
    expect(shown.stdout).toMatch(new RegExp(`HTTP port:\\s+${cluster.httpPort}`));
    expect((await run('clusters', 'rm', 'dev')).exitCode).toBe(0);
    expect(JSON.parse((await run('clusters', 'ls', '--json')).stdout)).toEqual([]);
  });

  it('exits 2 with what happened and a hint on bad input, and changes nothing', async () => {
    const reserved = await run('clusters', 'add', 'devops', '--provider', 'kind');
    expect(reserved.exitCode).toBe(2);
    expect(reserved.stderr).toContain('error: cluster name "devops" is reserved');
    expect(reserved.stderr).toContain('hint: Choose another name.');
    expect(reserved.stderr).not.toMatch(/\n\s+at /);
    const noProvider = await run('clusters', 'add', 'qa');
    expect(noProvider.exitCode).toBe(2);
    const typo = await run('clusters', 'add', 'qa', '--provder', 'kind');
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('unknown flag --provder');
    const unknown = await run('clusterz');
    expect(unknown.exitCode).toBe(2);
    const jsonError = await run('clusters', 'show', 'nope', '--json');
    expect(jsonError.exitCode).toBe(1);
    expect(JSON.parse(jsonError.stdout)).toMatchObject({ error: { code: 'NOT_FOUND', message: 'cluster "nope" does not exist' } });
    expect(JSON.parse((await run('clusters', 'ls', '--json')).stdout)).toEqual([]);
  });

  it('refuses mutations with --readonly, and records the refusal in the audit log', async () => {
    const refused = await run('--readonly', 'clusters', 'add', 'qa', '--provider', 'kind');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('read-only');
    expect(JSON.parse((await run('clusters', 'ls', '--json')).stdout)).toEqual([]);
    const audit = JSON.parse((await run('audit', '--json', '--limit', '1')).stdout) as unknown[];
    expect(audit).toMatchObject([{ action: 'cluster.add', target: 'qa', result: 'refused' }]);
  });

  it('records invalid input in the audit log as invalid', async () => {
    expect((await run('clusters', 'add', 'main', '--provider', 'kind')).exitCode).toBe(2);
    expect((await run('clusters', 'add', 'qa2')).exitCode).toBe(2);
    const audit = JSON.parse((await run('audit', '--json', '--limit', '2')).stdout) as unknown[];
    expect(audit).toMatchObject([
      { action: 'cluster.add', target: 'qa2', result: 'invalid', details: { error: 'a provider is required' } },
      { action: 'cluster.add', target: 'main', result: 'invalid' },
    ]);
  });

  it('imports CSV with a JSON report and exports it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-csv-'));
    const file = join(dir, 'environments.csv');
    writeFileSync(file, 'env,provider,node_port,pf_port,register_portainer,haproxy_route,http_port,https_port,cluster_subnet\n'
      + 'devops,k3d,30080,19000,false,false,10800,10843,\nuat,kind,30080,19002,true,true,18092,18444,\nbad,kind,x,,,,,,\n');
    const imported = await run('clusters', 'import-csv', file, '--json');
    expect(imported.exitCode).toBe(1);
    const report = JSON.parse(imported.stdout) as Record<string, unknown>;
    // As Kindler's migrate_csv_to_db.sh counts: devops is skipped and not part of the total.
    expect(report).toMatchObject({ total: 2, imported: 1, skipped: 1, failed: 1, errors: [{ line: 4, name: 'bad' }] });
    const out = join(dir, 'out.csv');
    expect((await run('clusters', 'export-csv', out)).exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('env,provider,node_port,pf_port,register_portainer,haproxy_route,http_port,https_port,cluster_subnet\n'
      + 'uat,kind,30080,19002,true,true,18092,18444,\n');
    expect((await run('clusters', 'rm', 'uat')).exitCode).toBe(0);
    expect(JSON.parse((await run('clusters', 'import-csv', out, '--json')).stdout)).toMatchObject({ total: 1, imported: 1, failed: 0 });
    expect(JSON.parse((await run('clusters', 'show', 'uat', '--json')).stdout)).toMatchObject({ pfPort: 19002, httpsPort: 18444 });
  });

  it('names the path and the reason when a CSV file cannot be read or written, exit 2, no "bug" hint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-files-'));
    const cases: [string[], string, string][] = [
      [['clusters', 'export-csv', '/nonexistent/x.csv'], 'error: cannot write /nonexistent/x.csv: its directory does not exist', 'Create the directory'],
      [['clusters', 'export-csv', dir], `error: cannot write ${dir}: it is a directory`, 'Give a file name'],
      [['clusters', 'import-csv', '/nonexistent/y.csv'], 'error: cannot read /nonexistent/y.csv: it does not exist', 'Check the path'],
    ];
    for (const [args, message, hint] of cases) {
      const result = await run(...args);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(`hint: ${hint}`);
      expect(result.stderr).not.toMatch(/bug in fleetdeck|INTERNAL/);
    }
  });

  it('a change made by the CLI reaches another process as an event within a second', async () => {
    const engine = await createEngine(resolveConfig({ databaseUrl: url }, { HOME: tmpdir() }));
    try {
      const events: EngineEvent[] = [];
      engine.events.subscribe((event) => events.push(event));
      expect((await run('clusters', 'add', 'live', '--provider', 'kind')).exitCode).toBe(0);
      await expect.poll(() => events.find((e) => e.target === 'live'), { timeout: 1_000 }).toMatchObject({ type: 'cluster.added', origin: 'remote' });
    } finally {
      await engine.close();
    }
  });
});

describe('fleetdeck when the database cannot be used', () => {
  const expectUnavailable = async (url: string, reason: string, hint: string) => {
    const result = await fleetdeck(['--database-url', url, 'clusters', 'ls', '--json']);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(`error: cannot use the database ${url.replace(':hunter2@', ':***@')}: ${reason}`);
    expect(result.stderr).toContain(`hint: ${hint}`);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    expect(result.stdout + result.stderr).not.toMatch(/hunter2|bug in fleetdeck|INTERNAL/);
  };

  it('says which server refused, without the password, and what to check', async () => {
    await expectUnavailable('postgres://ana:hunter2@127.0.0.1:1/fleet', 'connection refused by 127.0.0.1:1',
      'Check that PostgreSQL is running and listening on 127.0.0.1:1.');
    await expectUnavailable('postgres://ana:hunter2@db.invalid:5432/fleet', 'the host db.invalid was not found', 'Check the host name');
  });

  it('says when the database does not exist on a running server', async () => {
    const missing = new URL(inject('postgresUrl'));
    missing.pathname = '/fleetdeck_no_such_db';
    await expectUnavailable(missing.toString(), `database "fleetdeck_no_such_db" does not exist on ${missing.hostname}:${missing.port}`, 'Create it');
  });
});

describe('--readonly and the schema', () => {
  it('never creates an embedded database, and says so', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'fleetdeck-ro-')), 'data');
    const result = await fleetdeck(['--data-dir', dataDir, '--readonly', 'clusters', 'ls']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`error: there is no fleetdeck database in ${join(dataDir, 'db')}`);
    expect(result.stderr).toContain('run `fleetdeck migrate`');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a schema that is behind instead of migrating it; --readonly migrate is refused (exit 2) and audited', async () => {
    const { url, drop } = await freshPostgresUrl();
    try {
      const db = new PgDatabase(url);
      await migrate(db, loadMigrations().slice(0, 2));
      const behind = await fleetdeck(['--database-url', url, '--readonly', 'clusters', 'ls']);
      expect(behind.exitCode).toBe(1);
      expect(behind.stderr).toMatch(/error: the database .* is behind this fleetdeck: 2 of \d+ migrations applied \(pending: 003_/);
      expect(behind.stderr).toContain('hint: Read-only mode never changes the schema: run `fleetdeck migrate`');
      const refused = await fleetdeck(['--database-url', url, '--readonly', 'migrate']);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain('read-only');
      const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n;
      expect(await count()).toBe(2);
      const audit = await db.query<{ action: string; result: string }>('SELECT action, result FROM audit_log');
      expect(audit.rows).toEqual([{ action: 'migrate', result: 'refused' }]);
      const migrated = await fleetdeck(['--database-url', url, 'migrate']);
      expect(migrated.exitCode, migrated.stderr).toBe(0);
      expect(migrated.stdout).toMatch(/^Applied 003_/);
      expect(await count()).toBe(loadMigrations().length);
      expect((await fleetdeck(['--database-url', url, '--readonly', 'clusters', 'ls', '--json'])).exitCode).toBe(0);
      await db.close();
    } finally {
      await drop();
    }
  });
});

describe('the fleetdeck CLI on the embedded database', () => {
  it('works with --data-dir and writes the audit log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-cli-'));
    expect((await fleetdeck(['--data-dir', dataDir, 'clusters', 'add', 'dev', '--provider', 'kind'])).exitCode).toBe(0);
    const audit = await fleetdeck(['--data-dir', dataDir, 'audit', '--json']);
    expect(JSON.parse(audit.stdout)).toMatchObject([{ action: 'cluster.add', target: 'dev', result: 'ok' }]);
  });
});
