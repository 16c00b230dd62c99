import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_ENVIRONMENTS } from '../../src/sandbox/world/seed.js';
import { updateWorld, worldLayout } from '../../src/sandbox/world/world-file.js';
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
    // A row is "<cursor><mark> NAME  PROVIDER  …": anchoring at the row start and naming the provider column keeps
    // `dev` from being found inside `dev-k3d`.
    const rowOf = (e: { name: string; provider: string }): RegExp => new RegExp(`^[> ][* ] ${e.name} +${e.provider} `, 'm');
    const screen = await pane.waitFor((s) => SANDBOX_ENVIRONMENTS.every((e) => rowOf(e).test(s)), 'the six sandbox environments', 150_000);
    for (const environment of SANDBOX_ENVIRONMENTS) expect(screen).toMatch(rowOf(environment));
    const rows = screen.split('\n').filter((line) => /^[> ][* ] \S+ +(k3d|kind) /.test(line));
    expect(rows.map((line) => line.slice(3).split(/ +/)[0]).sort()).toEqual(SANDBOX_ENVIRONMENTS.map((e) => e.name).sort());
    expect(screen).toContain('SANDBOX');
    // The seventh cluster, devops, is the management cluster: not an environment row, named in the status line.
    expect(screen).toMatch(/management cluster devops │/);

    // The cockpit hosts the world. dev is recorded on a port something else holds: the world moves it, and the
    // cockpit says so in its message line.
    const holder: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as AddressInfo).port;
    try {
      await updateWorld(worldLayout(dataDir), (world) => ({ ...world!, clusters: world!.clusters.map((c) => (c.name === 'dev' ? { ...c, port: held } : c)) }));
      const moved = await pane.waitFor((s) => s.includes(`moved cluster kind-dev ${held} -> `), 'the notice that dev moved', 30_000);
      expect(moved).toMatch(/^sandbox: port in use, moved cluster kind-dev \d+ -> \d+; rewrote /m);
    } finally {
      holder.close();
    }
    await pane.keys('q');
    await pane.waitFor((s) => /^EXIT=0$/m.test(s), 'a clean exit');
  }, 200_000);
});
