import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A crash inside the running cockpit (an exception thrown from a timer, outside any render) must still give
 * the user their screen back, print what happened, and exit 1. The cockpit runs in tmux over a source that
 * throws; everything else is the real runInteractive from dist/.
 */
const dist = (path: string) => pathToFileURL(join(process.cwd(), 'dist', path)).href;

const SCRIPT = `
const { loadTerminalUi } = await import(${JSON.stringify(dist('src/tui/load-terminal-ui.js'))});
const { runInteractive } = await loadTerminalUi(() => import(${JSON.stringify(dist('src/tui/interactive.js'))}));
const now = new Date().toISOString();
const source = {
  status: { databaseTarget: 'crash-test', sandbox: false, readonly: false },
  listClusters: async () => [{ name: 'doomed', provider: 'k3d', subnet: null, nodePort: 30080, pfPort: 1, httpPort: 2,
    httpsPort: 3, registerPortainer: false, haproxyRoute: false, createdAt: now, updatedAt: now }],
  subscribe: () => { setTimeout(() => { throw new Error('boom from a timer'); }, 1500); return () => {}; },
  removeCluster: async () => {},
};
process.exitCode = await runInteractive({ source, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
`;

let dir = '';
const socket = `fdcrash-${process.pid}-${randomBytes(4).toString('hex')}`;
const tmux = async (...args: string[]) => String((await execa('tmux', ['-L', socket, '-f', '/dev/null', ...args], { timeout: 20_000 })).stdout);
const screen = async () => (await tmux('capture-pane', '-p', '-t', 'crash')).replace(/\s+$/, '');

async function waitFor(predicate: (s: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const text = await screen();
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the pane shows:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetdeck-crash-'));
  await writeFile(join(dir, 'crash.mjs'), SCRIPT);
});

afterAll(async () => {
  await tmux('kill-server').catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a crash in the cockpit', () => {
  it('restores the screen, prints the error and exits 1', async () => {
    await tmux('new-session', '-d', '-s', 'crash', '-x', '100', '-y', '24', 'env', 'PS1=$ ', 'bash', '--norc', '--noprofile');
    await waitFor((s) => s.includes('$'), 'the prompt');
    await tmux('send-keys', '-t', 'crash', '-l', `env -u CI node ${join(dir, 'crash.mjs')}; echo "EXIT=$?"`);
    const before = await waitFor((s) => s.includes('EXIT=$?'), 'the typed command');
    await tmux('send-keys', '-t', 'crash', 'Enter');
    await waitFor((s) => s.includes('doomed'), 'the first frame');
    const after = await waitFor((s) => /^EXIT=\d+$/m.test(s), 'the exit');
    expect(after.startsWith(before)).toBe(true);
    const output = after.slice(before.length).trim().split('\n');
    expect(output).toContain('error: the cockpit stopped: boom from a timer');
    expect(output).toContain('EXIT=1');
    expect(after).not.toContain('PROVIDER');
  }, 120_000);
});
