import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { TmuxPane } from '../support/tmux-pane.js';

const lineOf = (screen: string, text: string): string => screen.split('\n').find((line) => line.includes(text)) ?? '';

/**
 * The sandbox world starts with four drift items (a missing branch `uat`, an orphan branch `legacy-qa`, prod-k3d
 * missing from Portainer, an orphan cluster `scratch`); the cockpit scans on start and the Drift panel shows them.
 */
describe('the Drift panel on the sandbox world, in a real terminal', () => {
  const pane = new TmuxPane();
  let dataDir = '';

  afterAll(async () => {
    await pane.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the sandbox drift grouped by kind with repairs, and a plan with Cancel as the default', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-drift-tui-'));
    await pane.start();
    await pane.type(`env -u CI node ${BIN} --sandbox --data-dir ${dataDir}; echo "EXIT=$?"`);
    await pane.keys('Enter');
    await pane.waitFor((s) => s.includes('SANDBOX') && /\buat\b/.test(s), 'the cockpit on the sandbox', 150_000);
    await pane.keys('2');
    let screen = await pane.waitFor((s) => s.includes('[2 Drift]') && s.includes('4 items'), 'the drift scan', 90_000);
    expect(screen).toMatch(/scanned \d\d:\d\d:\d\d/);
    for (const group of ['missing branch (1)', 'orphan branch (1)', 'orphan cluster (1)', 'missing registration (1)']) {
      expect(screen).toContain(group);
    }
    expect(lineOf(screen, 'cluster uat is in the inventory')).toMatch(/^>/);
    expect(screen).toContain('→ create branch uat from the inventory row');
    expect(screen).toContain('legacy-qa');
    expect(screen).toContain('k3d cluster scratch is running but not in the inventory');
    expect(screen).toContain('prod-k3d is not registered with Portainer');
    expect(screen).toContain('r repair');

    await pane.keys('r');
    screen = await pane.waitFor((s) => s.includes('Apply repair plan'), 'the plan', 60_000);
    expect(screen).toContain('create_branch uat');
    expect(screen).toContain('[ Cancel ]');
    await pane.keys('Enter');
    screen = await pane.waitFor((s) => s.includes('missing branch (1)'), 'the panel again');
    expect(screen).toContain('4 items');

    await pane.keys('q');
    await pane.waitFor((s) => /^EXIT=0$/m.test(s), 'a clean exit', 60_000);
  }, 300_000);
});
