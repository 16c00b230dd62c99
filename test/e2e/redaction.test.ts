import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { fleetdeck } from '../support/cli.js';
import { freshPostgresUrl } from '../support/databases.js';

/** Secrets never reach the screen, --json output, the audit log or the database in the clear. */
describe('secrets stay secret', () => {
  it('a canary token given to fleetdeck appears in no output, no audit entry and no database column', async () => {
    const { url, drop } = await freshPostgresUrl();
    const canary = `CANARY-${Math.random().toString(36).slice(2)}-TOKEN`;
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-canary-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, canary);
    const env = { FLEETDECK_SECRET_KEY: 'ab'.repeat(32) };
    const run = (...args: string[]) => fleetdeck(['--database-url', url, ...args], { env });
    try {
      const outputs = [
        await run('dataplane', 'add', 'edge-1', '--server', 'https://127.0.0.1:1', '--token-file', tokenFile, '--storage-mode', 'external', '--json'),
        await run('dataplane', 'add', 'edge-1', '--server', 'https://127.0.0.1:1', '--token-file', tokenFile),
        await run('installs', 'ls', '--json'),
        await run('installs', 'show', 'edge-1', '--json'),
        await run('installs', 'show', 'edge-1'),
        await run('deploy', 'edge-1', '--json'),
        await run('audit', '--json'),
      ];
      expect(outputs[0]!.exitCode, outputs[0]!.stderr).toBe(0);
      for (const output of outputs) {
        expect(output.stdout).not.toContain(canary);
        expect(output.stderr).not.toContain(canary);
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const stored = await client.query<{ enc: string | null }>("SELECT kube_credentials_enc AS enc FROM dataplane_clusters WHERE name = 'edge-1'");
        expect(stored.rows[0]?.enc, 'the token is kept, encrypted').toMatch(/\S{20,}/);
        const tables = await client.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
        for (const { table_name: table } of tables.rows) {
          const rows = await client.query(`SELECT * FROM "${table}"`);
          expect(JSON.stringify(rows.rows), `table ${table}`).not.toContain(canary);
        }
      } finally {
        await client.end();
      }
    } finally {
      await drop();
    }
  }, 120_000);
});
