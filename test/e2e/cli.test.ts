import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
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

  it('refuses mutations with --readonly', async () => {
    const refused = await run('--readonly', 'clusters', 'add', 'qa', '--provider', 'kind');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('read-only');
    expect(JSON.parse((await run('clusters', 'ls', '--json')).stdout)).toEqual([]);
  });

  it('imports CSV with a JSON report and exports it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-csv-'));
    const file = join(dir, 'environments.csv');
    writeFileSync(file, 'env,provider,node_port,pf_port,register_portainer,haproxy_route,http_port,https_port,cluster_subnet\n'
      + 'devops,k3d,30080,19000,false,false,10800,10843,\nuat,kind,30080,19002,true,true,18092,18444,\nbad,kind,x,,,,,,\n');
    const imported = await run('clusters', 'import-csv', file, '--json');
    expect(imported.exitCode).toBe(1);
    const report = JSON.parse(imported.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ total: 3, imported: 1, skipped: 1, failed: 1, errors: [{ line: 4, name: 'bad' }] });
    const out = join(dir, 'out.csv');
    expect((await run('clusters', 'export-csv', out)).exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('uat,kind,30080,19002,true,true,18092,18444,');
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

describe('the fleetdeck CLI on the embedded database', () => {
  it('works with --data-dir and writes the audit log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-cli-'));
    expect((await fleetdeck(['--data-dir', dataDir, 'clusters', 'add', 'dev', '--provider', 'kind'])).exitCode).toBe(0);
    const audit = await fleetdeck(['--data-dir', dataDir, 'audit', '--json']);
    expect(JSON.parse(audit.stdout)).toMatchObject([{ action: 'cluster.add', target: 'dev', result: 'ok' }]);
  });
});
