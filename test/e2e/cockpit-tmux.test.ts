import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, fleetdeck } from '../support/cli.js';
import { TmuxPane } from '../support/tmux-pane.js';

/** The shell printed the exit status (the typed command line itself contains `EXIT=$?`, not a digit). */
const exited = (screen: string): boolean => /^EXIT=\d+$/m.test(screen);

const lineOf = (screen: string, pattern: RegExp): string => screen.split('\n').find((line) => pattern.test(line)) ?? '';

let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-cockpit-'));
  for (const [name, provider] of [['alpha', 'k3d'], ['beta', 'kind'], ['gamma', 'k3d']] as const) {
    const added = await fleetdeck(['--data-dir', dataDir, 'clusters', 'add', name, '--provider', provider]);
    expect(added.exitCode, added.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Types the command at the prompt (without running it) and returns the screen as it was before launch. */
async function typeLaunch(pane: TmuxPane, env = ''): Promise<string> {
  return pane.typeCommand(`${env}env -u CI node ${BIN} --data-dir ${dataDir}; echo "EXIT=$?"`);
}

function expectRestored(before: string, after: string, exitCode: number): void {
  // The user's screen is back exactly as it was, with the command's output after it and no cockpit left over.
  expect(after.startsWith(before)).toBe(true);
  expect(after.slice(before.length).trim().split('\n')[0]).toBe(`EXIT=${exitCode}`);
  expect(after).not.toContain('PROVIDER');
}

describe('the cockpit in a real terminal', () => {
  it('draws the first frame, moves, filters, and q restores the screen and exits 0', async () => {
    const pane = new TmuxPane();
    try {
      await pane.start();
      await pane.type('echo before-the-cockpit');
      await pane.keys('Enter');
      const before = await typeLaunch(pane);
      await pane.keys('Enter');

      let screen = await pane.waitFor((s) => s.includes('PROVIDER') && s.includes('gamma'), 'the first frame');
      expect(screen).toContain('[1 Clusters]');
      expect(screen).toContain('clusters 3');
      expect(lineOf(screen, /^>/)).toContain('alpha');
      expect(screen.split('\n').length).toBeLessThanOrEqual(29);
      expect(screen).not.toContain('before-the-cockpit'); // the alternate screen

      await pane.keys('j');
      screen = await pane.waitFor((s) => lineOf(s, /^>/).includes('beta'), 'the cursor on beta');

      await pane.keys('/');
      await pane.type('gam');
      screen = await pane.waitFor((s) => s.includes('filtered 1'), 'the filter');
      // Exactly the filtered row and the prompt are on screen: nothing stale from earlier frames.
      expect(screen.split('\n').filter((line) => /alpha|beta|gamma|loading/.test(line))).toEqual([lineOf(screen, /gamma/)]);
      expect(lineOf(screen, /gamma/)).toMatch(/^>/);
      await pane.keys('Enter');
      screen = await pane.waitFor((s) => !s.includes('enter keeps'), 'the filter prompt to close');
      expect(screen.split('\n').filter((line) => line.includes('q quit'))).toHaveLength(1);
      expect(screen).toContain('filtered 1');

      await pane.keys('q');
      const after = await pane.waitFor(exited, 'the cockpit to exit');
      expectRestored(before, after, 0);
    } finally {
      await pane.stop();
    }
  }, 180_000);

  it('restores the screen on ctrl-c and on SIGTERM', async () => {
    const pane = new TmuxPane();
    try {
      await pane.start();
      let before = await typeLaunch(pane);
      await pane.keys('Enter');
      await pane.waitFor((s) => s.includes('PROVIDER'), 'the first frame');
      await pane.keys('C-c');
      let after = await pane.waitFor(exited, 'the exit after ctrl-c');
      expectRestored(before, after, 0);

      await pane.keys('C-l');
      await pane.waitFor((s) => !exited(s), 'a cleared screen');
      before = await typeLaunch(pane);
      await pane.keys('Enter');
      await pane.waitFor((s) => s.includes('PROVIDER'), 'the first frame');
      const ps = await execa('ps', ['-eo', 'pid=,args=']);
      const pid = String(ps.stdout).split('\n')
        .filter((line) => line.includes(BIN) && line.includes(dataDir) && !line.includes('env -u CI'))
        .map((line) => Number(line.trim().split(/\s+/)[0]))[0];
      expect(pid).toBeGreaterThan(0);
      process.kill(pid!, 'SIGTERM');
      after = await pane.waitFor(exited, 'the exit after SIGTERM');
      expectRestored(before, after, 143);
    } finally {
      await pane.stop();
    }
  }, 180_000);

  it('uses colour, and none at all with NO_COLOR set', async () => {
    const sgrColour = /\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[25])[;m]/;
    const pane = new TmuxPane();
    try {
      await pane.start();
      await typeLaunch(pane);
      await pane.keys('Enter');
      await pane.waitFor((s) => s.includes('PROVIDER'), 'the first frame');
      expect(await pane.screen({ escapes: true })).toMatch(sgrColour);
      await pane.keys('q');
      await pane.waitFor(exited, 'the exit');

      await pane.keys('C-l');
      await typeLaunch(pane, 'NO_COLOR=1 ');
      await pane.keys('Enter');
      await pane.waitFor((s) => s.includes('PROVIDER'), 'the first frame without colour');
      const screen = await pane.screen({ escapes: true });
      expect(screen).toContain('PROVIDER');
      expect(screen).not.toMatch(sgrColour);
      await pane.keys('q');
      await pane.waitFor(exited, 'the exit');
    } finally {
      await pane.stop();
    }
  }, 180_000);

  it('draws its frame before the database answers, says it is opening, and on failure restores the screen and reports it', async () => {
    // A "server" that accepts connections and never answers: the database stays "opening" until pg gives up (10 s).
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const pane = new TmuxPane();
    try {
      await pane.start();
      const before = await pane.typeCommand(`env -u CI node ${BIN} --database-url postgres://ana:hunter2@127.0.0.1:${port}/fleet; echo "EXIT=$?"`);
      await pane.keys('Enter');
      const opening = await pane.waitFor((s) => s.includes('[1 Clusters]') && s.includes('(opening database…)'), 'the frame while opening');
      expect(lineOf(opening, /opening database/)).toContain(`db postgres://ana:***@127.0.0.1:${port}/fleet (opening database…)`);
      expect(opening).toContain('loading the inventory…');
      expect(opening).not.toContain('hunter2');
      const after = await pane.waitFor(exited, 'the cockpit to give up', 40_000);
      expect(after.startsWith(before)).toBe(true);
      // The pane is 120 columns wide: long lines wrap.
      const printed = after.slice(before.length).trim().split('\n').filter((line) => line !== '$').join('');
      expect(printed).toMatch(new RegExp(`^error: cannot use the database postgres://ana:\\*\\*\\*@127\\.0\\.0\\.1:${port}/fleet: `
        + `no answer from 127\\.0\\.0\\.1:${port} within 10 s\\s*hint: Check that the server is up and reachable\\..*EXIT=1$`));
      expect(printed).not.toMatch(/hunter2|bug in fleetdeck|PROVIDER|Clusters/);
    } finally {
      await pane.stop();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 120_000);
});
