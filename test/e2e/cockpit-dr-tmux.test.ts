import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { TmuxPane } from '../support/tmux-pane.js';

const lineOf = (screen: string, text: string): string => screen.split('\n').find((line) => line.includes(text)) ?? '';

const FAILOVER_ACTIONS = ['notify-start', 'record-dr-mode', 'create-localization', 'create-subscription', 'run-sync-job', 'notify-done'];

/**
 * The sandbox ships two sample DR plans (core/dr/examples). In the DR panel, failover-web is executed by typing its
 * name; its actions (HTTP hooks, a ConfigMap, a Clusternet Localization and Subscription, a Job) all reach Succeeded.
 */
describe('the DR panel on the sandbox world, in a real terminal', () => {
  const pane = new TmuxPane();
  let dataDir = '';

  afterAll(async () => {
    await pane.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the sample plans, executes failover-web after its name is typed, and shows every action Succeeded', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-dr-tui-'));
    await pane.start();
    await pane.type(`env -u CI node ${BIN} --sandbox --data-dir ${dataDir}; echo "EXIT=$?"`);
    await pane.keys('Enter');
    await pane.waitFor((s) => s.includes('SANDBOX') && /\buat\b/.test(s), 'the cockpit on the sandbox', 150_000);
    await pane.keys('4');
    let screen = await pane.waitFor((s) => s.includes('[4 DR]') && s.includes('failover-web') && s.includes('switchover-db'), 'the sample plans', 60_000);
    expect(lineOf(screen, 'failover-web')).toMatch(/^> failover-web\s+default\s+1\s+never executed/);
    expect(lineOf(screen, 'switchover-db')).toMatch(/switchover-db\s+default\s+1\s+never executed/);
    expect(screen).toContain('x execute');

    await pane.keys('x');
    await pane.waitFor((s) => /Execute DR plan (\S+:)?default\/failover-web\?/.test(s), 'the typed confirm');
    await pane.type('failover-wep');
    await pane.keys('Enter');
    await pane.waitFor((s) => s.includes('that is not "failover-web": nothing was executed'), 'the mismatch refused');
    await pane.keys('BSpace');
    await pane.type('b');
    await pane.keys('Enter');

    screen = await pane.waitFor((s) => /ACTIONS of failover-web-\S+ · Execute · Succeeded/.test(s), 'the execution to succeed', 120_000);
    for (const action of FAILOVER_ACTIONS) expect(lineOf(screen, ` ${action} `)).toMatch(/✓ Succeeded\s+\d+\s+\d/);
    expect(lineOf(screen, 'run-sync-job')).toMatch(/Job\s+✓ Succeeded/);
    expect(screen).toMatch(/failover-web-\S+\s+failover-web\s+Execute\s+✓ Succeeded/);
    expect(lineOf(screen, 'failover-web ')).toMatch(/Succeeded \(Execute failover-web-/);

    await pane.keys('q');
    await pane.waitFor((s) => /^EXIT=0$/m.test(s), 'a clean exit', 60_000);
  }, 400_000);
});
