import { afterEach, describe, expect, it } from 'vitest';
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

  it('hides and refuses r when read-only; ctrl-r still rescans', async () => {
    const run = await driftCockpit({ readonly: true });
    ui = run.ui;
    expect(ui.screen()).not.toContain('r repair');
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
