import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { createEngine } from '../../core/engine.js';
import type { Fleet } from '../../core/fleet.js';
import { engineSource } from '../../src/tui/engine-source.js';
import { openTestFleet } from '../core/lifecycle/support/test-fleet.js';
import { openTestDatabase } from '../support/databases.js';
import { TEST_ACTOR } from '../support/engine.js';
import { MemorySource, clusters } from './fixtures.js';
import { MemoryDrift, SANDBOX_DRIFT, driftItem } from './fake-drift.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpit } from './render-cockpit.js';

let ui: RenderedCockpit | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

const CTRL_R = '\x12';
const selectedLine = (u: RenderedCockpit) => u.lines().find((line) => line.startsWith('>')) ?? '';

async function driftCockpit(options: { readonly?: boolean } = {}) {
  const source = new MemorySource(clusters(3), { readonly: options.readonly ?? false });
  const drift = new MemoryDrift(source);
  source.drift = drift;
  await drift.scan();
  const rendered = await renderCockpit(source, 30);
  await rendered.press('2');
  return { source, drift, ui: rendered };
}

describe('the Drift panel', () => {
  it('groups the items by kind, each with its repair, and says when it scanned', async () => {
    const run = await driftCockpit();
    ui = run.ui;
    const screen = ui.screen();
    expect(screen).toMatch(/scanned \d\d:\d\d:\d\d \(\d+s ago\) · 4 items/);
    const lines = ui.lines();
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    // Kinds in a fixed order, each a header over its items; every item followed by its repair.
    expect(at('missing branch (1)')).toBeLessThan(at('orphan branch (1)'));
    expect(at('orphan branch (1)')).toBeLessThan(at('orphan cluster (1)'));
    expect(at('orphan cluster (1)')).toBeLessThan(at('missing registration (1)'));
    expect(lines[at('cluster uat is in the inventory') + 1]).toContain('→ create branch uat from the inventory row');
    expect(lines[at('k3d cluster scratch is running') + 1]).toContain('→ adopt k3d cluster scratch');
    expect(selectedLine(ui)).toContain('uat');
    await ui.press('j');
    expect(selectedLine(ui)).toContain('legacy-qa');
    await ui.press('G');
    expect(selectedLine(ui)).toContain('prod-k3d');
    await ui.press('k', 'g');
    expect(selectedLine(ui)).toContain('uat');
  });

  it('names the sources it could not check', async () => {
    const source = new MemorySource(clusters(1));
    const drift = new MemoryDrift(source, []);
    drift.unchecked = [{ source: 'git', error: 'git ls-remote timed out', hint: 'Check the Git remote.' }];
    source.drift = drift;
    await drift.scan();
    ui = await renderCockpit(source);
    await ui.press('2');
    expect(ui.screen()).toContain('could not check git: git ls-remote timed out  hint: Check the Git remote.');
    expect(ui.screen()).toContain('no drift');
  });

  it('r shows the plan for the selected item with Cancel as the default; enter right away applies nothing', async () => {
    const run = await driftCockpit();
    ui = run.ui;
    await ui.press('r');
    const screen = await ui.waitFor((s) => s.includes('Apply repair plan'), 'the plan');
    expect(screen).toContain('Apply repair plan plan-1: 1 action for 1 item?');
    expect(screen).toContain('1. create_branch uat');
    expect(screen).toContain('[ Cancel ]');
    expect(screen).not.toContain('[ Apply ]');
    await ui.press(KEY.enter);
    expect(run.drift.applied).toEqual([]);
    expect(ui.screen()).toContain('uat');
    expect(run.drift.plans[0]?.items.map((item) => item.id)).toEqual(['missing_branch:uat']);
  });

  it('applies the plan for the marked items after choosing Apply, and they leave the panel', async () => {
    const run = await driftCockpit();
    ui = run.ui;
    await ui.press(' ', 'j', 'j', ' ', 'r');
    let screen = await ui.waitFor((s) => s.includes('Apply repair plan'), 'the plan');
    expect(screen).toContain('2 actions for 2 items');
    expect(screen).toContain('1. adopt_cluster scratch');
    expect(screen).toContain('2. create_branch uat');
    expect(screen).not.toContain('legacy-qa');
    await ui.press(KEY.right);
    expect(ui.screen()).toContain('[ Apply ]');
    await ui.press(KEY.enter);
    screen = await ui.waitFor((s) => s.includes('applied plan-1'), 'the apply');
    expect(run.drift.applied).toEqual(['plan-1']);
    await ui.waitFor((s) => s.includes('· 2 items'), 'the rescan');
    expect(ui.screen()).not.toContain('cluster uat is in the inventory');
    expect(ui.screen()).toContain('legacy-qa');
  });

  it('shows a stale plan refusal with its hint', async () => {
    const run = await driftCockpit();
    ui = run.ui;
    run.drift.failApply = Object.assign(new Error('plan plan-1 is stale: the inventory or the fleet changed since it was made'),
      { hint: 'Make a new plan with `fleetdeck repair --plan`, check it, and apply that one.' });
    await ui.press('r');
    await ui.waitFor((s) => s.includes('Apply repair plan'), 'the plan');
    await ui.press(KEY.tab, KEY.enter);
    const screen = await ui.waitFor((s) => s.includes('error:'), 'the refusal');
    expect(screen).toContain('plan plan-1 is stale');
    expect(screen).toContain('hint: Make a new plan');
  });

  it('ctrl-r rescans, and a scan made elsewhere (the watcher) updates the panel live', async () => {
    const run = await driftCockpit();
    ui = run.ui;
    run.drift.items.push(driftItem('port_mismatch', 'dev', 'update the row of dev', 'cluster dev ports differ'));
    await ui.press(CTRL_R);
    await ui.waitFor((s) => s.includes('5 items'), 'the rescan');
    expect(run.drift.scans).toBe(2);
    expect(ui.screen()).toContain('port mismatch (1)');
    run.drift.items = run.drift.items.filter((item) => item.target !== 'uat');
    await run.drift.scan();
    await ui.waitFor((s) => s.includes('4 items'), 'the watcher\'s scan');
    expect(ui.screen()).not.toContain('missing branch');
  });

  it('hides and refuses r and X when read-only; ctrl-r still rescans', async () => {
    const run = await driftCockpit({ readonly: true });
    ui = run.ui;
    expect(ui.screen()).not.toContain('r repair');
    expect(ui.screen()).not.toContain('X delete/replace');
    await ui.press('G', 'k', 'X');
    expect(ui.screen()).toContain('fleetdeck is running read-only');
    expect(run.drift.plans).toEqual([]);
    expect(ui.screen()).toContain('ctrl-r rescan');
    await ui.press('?');
    expect(ui.screen()).not.toContain('plan the repair');
    await ui.press(KEY.escape, 'r');
    expect(ui.screen()).toContain('fleetdeck is running read-only');
    expect(ui.screen()).not.toContain('Apply repair plan');
    expect(run.drift.plans).toEqual([]);
    await ui.press(CTRL_R);
    await ui.waitFor(() => run.drift.scans === 2, 'the rescan');
  });

  it('X plans deleting the selected orphan cluster and applies it only once its name is typed', async () => {
    const run = await driftCockpit();
    ui = run.ui;
    await ui.press('G', 'k', 'X');
    let screen = await ui.waitFor((s) => s.includes('Apply repair plan'), 'the destructive plan');
    expect(screen).toContain('Apply repair plan plan-1? It destroys cluster scratch');
    expect(screen).toContain('1. DESTROYS: delete_cluster scratch');
    expect(screen).toContain('Type "scratch" to confirm');
    expect(run.drift.plans[0]?.actions).toEqual([{ type: 'delete_cluster', cluster: 'scratch', provider: 'k3d' }]);
    await ui.press(KEY.enter);
    expect(ui.screen()).toContain('that is not "scratch": nothing was deleted');
    await ui.press(...'scratc'.split(''), KEY.enter);
    expect(run.drift.applied).toEqual([]);
    await ui.press('h', 'x', KEY.backspace, KEY.enter);
    screen = await ui.waitFor((s) => s.includes('applied plan-1'), 'the apply');
    expect(run.drift.applied).toEqual(['plan-1']);
    await ui.waitFor((s) => s.includes('· 3 items'), 'the rescan');
    expect(ui.screen()).not.toContain('orphan cluster');
  });

  it('X on an item without a destructive repair says so and plans nothing; a stopped cluster is started by default, replaced only with X; esc leaves that unapplied', async () => {
    const run = await driftCockpit();
    ui = run.ui;
    await ui.press('X');
    expect(ui.screen()).toContain('the selected items have no destructive repair');
    expect(run.drift.plans).toEqual([]);
    run.drift.items.push(driftItem('api_unreachable', 'prod', 'start cluster prod and wait until its API server answers', 'cluster prod is stopped'));
    await ui.press(CTRL_R);
    await ui.waitFor((s) => s.includes('5 items'), 'the rescan');
    await ui.press('G', 'r');
    const safe = await ui.waitFor((s) => s.includes('Apply repair plan plan-1: 1 action for 1 item?'), 'the safe plan');
    expect(safe).toContain('1. start_cluster prod');
    expect(safe).not.toContain('DESTROYS');
    await ui.press(KEY.escape, 'X');
    const destructive = await ui.waitFor((s) => s.includes('It destroys cluster prod'), 'the destructive plan');
    expect(destructive).toContain('DESTROYS: replace_cluster prod');
    await ui.press(...'prod'.split(''), KEY.escape);
    expect(run.drift.applied).toEqual([]);
    expect(ui.screen()).not.toContain('It destroys');
  });

  it('keeps the frame within rows - 1 with many items', async () => {
    const source = new MemorySource(clusters(1));
    const items = Array.from({ length: 200 }, (_, i) => driftItem('missing_branch', `env-${String(i).padStart(3, '0')}`, 'create it'));
    source.drift = new MemoryDrift(source, [...items, ...SANDBOX_DRIFT]);
    await source.drift.scan();
    ui = await renderCockpit(source, 20, 100);
    await ui.press('2', 'G');
    expect(ui.lines().length).toBeLessThanOrEqual(19);
    expect(selectedLine(ui)).toContain('prod-k3d');
  });
});

describe('the Drift panel on the real engine (PGlite, fake k3d/kind/docker, real Git, Portainer and HAProxy)', () => {
  it('scans, plans deleting an orphan cluster with X, applies it once the name is typed, and ends with no drift', async () => {
    const fleet = await openTestFleet();
    const test = await openTestDatabase('pglite');
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-data-'));
    // The engine probes API servers: the kind cluster's published API port answers.
    const api: Server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    fleet.tools.writeState({ k3d: {}, kind: {}, nextKindApiPort: (api.address() as AddressInfo).port });
    const asFleet = { ...fleet.ports, sandbox: false, close: async () => undefined,
      kube: async () => { throw new Error('no kube gateways here'); } } as unknown as Fleet;
    const engine = await createEngine(resolveConfig({ dataDir }, { HOME: dataDir }), { db: test.db, actor: TEST_ACTOR, fleet: async () => asFleet });
    try {
      await engine.lifecycle.create('dev', 'kind');
      const dev = await engine.inventory.show('dev');
      await fleet.ports.providers.k3d.create({ ...dev, provider: 'k3d', name: 'scratch', subnet: '10.250.0.0/24', pfPort: 61000, httpPort: 61001, httpsPort: 61002 });
      ui = await renderCockpit(engineSource(engine) as unknown as MemorySource, 30);
      await ui.press('2', CTRL_R);
      let screen = await ui.waitFor((s) => s.includes('orphan cluster (1)'), 'the scan', 20_000);
      expect(screen).toContain('k3d cluster scratch is running but not in the inventory');
      expect(screen).toContain('→ adopt k3d cluster scratch into the inventory with the ports it publishes');
      expect(screen).toContain('· 1 item');
      await ui.press('X');
      screen = await ui.waitFor((s) => s.includes('It destroys cluster scratch'), 'the destructive plan', 20_000);
      expect(screen).toContain('DESTROYS: delete_cluster scratch');
      await ui.press(...'scratch'.split(''), KEY.enter);
      await ui.waitFor((s) => /applied plan-[0-9a-f]{8}: operation \d+ succeeded/.test(s), 'the repair', 20_000);
      await ui.waitFor((s) => s.includes('no drift'), 'the rescan', 20_000);
      expect(fleet.tools.state().k3d).toEqual({});
      expect((await engine.inventory.list()).map((c) => c.name)).toEqual(['dev']);
      const audit = await engine.db.query<{ action: string; result: string }>("SELECT action, result FROM audit_log WHERE action LIKE 'repair.%' ORDER BY id");
      expect(audit.rows).toEqual([{ action: 'repair.plan', result: 'ok' }, { action: 'repair.apply', result: 'ok' }]);
    } finally {
      ui?.unmount();
      ui = null;
      await engine.close();
      await test.close();
      await fleet.close();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  }, 90_000);
});
