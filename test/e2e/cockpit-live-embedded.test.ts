import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, fleetdeck } from '../support/cli.js';
import { TmuxPane } from '../support/tmux-pane.js';

const rowOf = (screen: string, name: string): string =>
  screen.split('\n').find((line) => new RegExp(`^[> ]\\s*${name}\\s`).test(line)) ?? '';

describe('the cockpit and the CLI on one embedded data directory', () => {
  it('a cluster added and removed by a second fleetdeck process shows up live in the cockpit (real binary, tmux)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-live-'));
    const pane = new TmuxPane();
    try {
      expect((await fleetdeck(['--data-dir', dataDir, 'clusters', 'add', 'alpha', '--provider', 'kind'])).exitCode).toBe(0);
      await pane.start();
      await pane.type(`env -u CI node ${BIN} --data-dir ${dataDir}`);
      await pane.keys('Enter');
      await pane.waitFor((s) => s.includes('PROVIDER') && s.includes('alpha') && s.includes('clusters 1'), 'the first frame');

      // The cockpit owns the directory now; this CLI process reaches the database through it.
      const added = await fleetdeck(['--data-dir', dataDir, 'clusters', 'add', 'live-one', '--provider', 'k3d', '--json']);
      expect(added.exitCode, added.stderr).toBe(0);
      const cluster = JSON.parse(added.stdout) as { subnet: string };
      const started = Date.now();
      let screen = await pane.waitFor((s) => rowOf(s, 'live-one') !== '' && s.includes('clusters 2'), 'live-one in the cockpit', 10_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(rowOf(screen, 'live-one')).toContain(cluster.subnet);

      expect((await fleetdeck(['--data-dir', dataDir, 'clusters', 'rm', 'alpha'])).exitCode).toBe(0);
      screen = await pane.waitFor((s) => rowOf(s, 'alpha') === '' && s.includes('clusters 1'), 'alpha gone from the cockpit', 10_000);
      expect(rowOf(screen, 'live-one')).not.toBe('');

      await pane.keys('q');
      await pane.waitFor((s) => !s.includes('PROVIDER'), 'the cockpit to quit');
    } finally {
      await pane.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
