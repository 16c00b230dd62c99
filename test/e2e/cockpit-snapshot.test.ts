import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetdeck } from '../support/cli.js';

let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-snapshot-'));
}, 60_000);

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('fleetdeck with stdout not a terminal', () => {
  it('prints a plain snapshot of the inventory instead of the cockpit, and exits 0', async () => {
    const empty = await fleetdeck(['--data-dir', dataDir]);
    expect(empty.exitCode, empty.stderr).toBe(0);
    expect(empty.stdout).toContain('clusters 0');
    expect(empty.stdout).toContain('no clusters yet');

    for (const [name, provider] of [['alpha', 'k3d'], ['beta', 'kind']] as const) {
      expect((await fleetdeck(['--data-dir', dataDir, 'clusters', 'add', name, '--provider', provider])).exitCode).toBe(0);
    }
    const result = await fleetdeck(['--data-dir', dataDir, '--readonly']);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^db embedded .* \| READ-ONLY \| clusters 2$/);
    expect(lines[1]).toMatch(/^NAME\s+PROVIDER\s+SUBNET\s+PF\s+HTTP\s+HTTPS\s+NODEPORT\s+PORTAINER\s+HAPROXY\s+AGE$/);
    expect(lines[2]).toMatch(/^alpha\s+k3d\s+\d+\.\d+\.\d+\.\d+\/\d+\s+\d+\s+\d+\s+\d+\s+30080\s+yes\s+yes\s+\d+s$/);
    expect(lines[3]).toMatch(/^beta\s+kind\s+-\s+/);
    // No escape sequences: no alternate screen, no colour, no cursor movement.
    expect(result.stdout).not.toContain('\x1b');
  }, 120_000);
});
