import { afterEach, describe, expect, it } from 'vitest';
import { MemorySource, cluster, clusters } from './fixtures.js';
import { renderCockpit } from './render-cockpit.js';
import type { RenderedCockpit } from './render-cockpit.js';

let ui: RenderedCockpit | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live updates', () => {
  it('shows a cluster added by another process when its event arrives', async () => {
    const source = new MemorySource(clusters(3));
    ui = await renderCockpit(source);
    expect(ui.screen()).not.toContain('aaa-new');
    source.add(cluster('aaa-new', 7));
    const screen = await ui.waitFor((s) => s.includes('aaa-new'), 'the new row');
    expect(screen).toContain('clusters 4');
  });

  it('keeps the cursor on the same cluster when rows appear above it', async () => {
    const source = new MemorySource(clusters(10));
    ui = await renderCockpit(source);
    await ui.press('j', 'j', 'j');
    source.add(cluster('aaa-first', 99));
    await ui.waitFor((s) => s.includes('aaa-first'), 'the new row');
    expect(ui.lines().find((line) => line.startsWith('>'))).toContain('env-00003');
  });

  it('coalesces a burst of 200 events into a few reads', async () => {
    const source = new MemorySource(clusters(3));
    ui = await renderCockpit(source);
    const before = source.reads;
    for (let i = 0; i < 200; i += 1) source.add(cluster(`burst-${String(i).padStart(3, '0')}`, 10 + i));
    await ui.waitFor((s) => s.includes('clusters 203'), 'all 200 rows');
    await sleep(100);
    expect(source.reads - before).toBeGreaterThanOrEqual(1);
    expect(source.reads - before).toBeLessThanOrEqual(5);
  });

  it('ignores events of other topics', async () => {
    const source = new MemorySource(clusters(3));
    ui = await renderCockpit(source);
    const before = source.reads;
    source.emit({ topic: 'dr', type: 'execution.started', target: 'plan-a' });
    await sleep(100);
    expect(source.reads).toBe(before);
  });
});

describe('big fleets', () => {
  it('renders only the visible window of 10,000 clusters', async () => {
    ui = await renderCockpit(new MemorySource(clusters(10_000)), 30);
    const rows = ui.lines().filter((line) => /env-\d{5}/.test(line));
    expect(rows.length).toBeGreaterThan(15);
    expect(rows.length).toBeLessThanOrEqual(29);
    expect(ui.lines().length).toBeLessThanOrEqual(29);
    expect(ui.screen()).toContain('clusters 10000');
    await ui.press('G');
    expect(ui.lines().find((line) => line.startsWith('>'))).toContain('env-09999');
    expect(ui.lines().filter((line) => /env-\d{5}/.test(line)).length).toBe(rows.length);
  });

  it('follows a terminal resize, staying under the new height', async () => {
    const source = new MemorySource(clusters(100));
    const run = await renderCockpit(source, null, 100);
    ui = run;
    expect(run.lines().length).toBeLessThanOrEqual(23); // the fake terminal reports no rows: 24 assumed
    Object.defineProperty(run.stdout, 'rows', { value: 12, configurable: true });
    run.stdout.emit('resize');
    await run.waitFor(() => run.lines().length <= 11, 'the smaller frame');
    expect(run.lines().filter((line) => /env-\d{5}/.test(line)).length).toBeLessThanOrEqual(6);
  });
});
