import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_ENVIRONMENTS } from '../../src/sandbox/world/seed.js';
import { BIN } from '../support/cli.js';
import { TmuxPane } from '../support/tmux-pane.js';

describe('the cockpit on the sandbox world, in a real terminal', () => {
  const pane = new TmuxPane();
  let dataDir = '';

  afterAll(async () => {
    await pane.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('builds the world on first start, says SANDBOX, and shows every environment', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-sandbox-tui-'));
    await pane.start();
    await pane.type(`env -u CI node ${BIN} --sandbox --data-dir ${dataDir}; echo "EXIT=$?"`);
    await pane.keys('Enter');
    const screen = await pane.waitFor((s) => SANDBOX_ENVIRONMENTS.every((e) => new RegExp(`\\b${e.name}\\b`).test(s)),
      'the six sandbox environments', 150_000);
    expect(screen).toContain('SANDBOX');
    expect(screen).toMatch(/management cluster devops/);
    await pane.keys('q');
    await pane.waitFor((s) => /^EXIT=0$/m.test(s), 'a clean exit');
  }, 200_000);
});
