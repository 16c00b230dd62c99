import { afterEach, describe, expect, it } from 'vitest';
import { KEY_BINDINGS, bindingsFor } from '../../views/keys.js';
import { MemorySource, clusters } from './fixtures.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpit } from './render-cockpit.js';

let ui: RenderedCockpit | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

const selectedLine = (u: RenderedCockpit) => u.lines().find((line) => line.startsWith('>')) ?? '';

describe('Clusters panel navigation', () => {
  it('shows the columns, the panel bar and the status line', async () => {
    ui = await renderCockpit(new MemorySource(clusters(5), { databaseTarget: 'embedded /data/db' }));
    const screen = ui.screen();
    for (const column of ['NAME', 'PROVIDER', 'SUBNET', 'PF', 'HTTP', 'HTTPS', 'NODEPORT', 'PORTAINER', 'HAPROXY', 'AGE']) {
      expect(screen).toContain(column);
    }
    expect(screen).toMatch(/1 Clusters.*2 Drift.*3 Installs.*4 DR.*5 Apps/);
    expect(screen).toContain('db embedded /data/db');
    expect(screen).toContain('clusters 5');
    expect(selectedLine(ui)).toContain('env-00000');
  });

  it('moves with j/k, arrows, g and G', async () => {
    ui = await renderCockpit(new MemorySource(clusters(50)));
    await ui.press('j', 'j');
    expect(selectedLine(ui)).toContain('env-00002');
    await ui.press('k');
    expect(selectedLine(ui)).toContain('env-00001');
    await ui.press(KEY.down, KEY.down, KEY.up);
    expect(selectedLine(ui)).toContain('env-00002');
    await ui.press('G');
    expect(selectedLine(ui)).toContain('env-00049');
    expect(ui.screen()).not.toContain('env-00000');
    await ui.press('g');
    expect(selectedLine(ui)).toContain('env-00000');
    await ui.press('k');
    expect(selectedLine(ui)).toContain('env-00000');
  });

  it('pages with PgDn and PgUp', async () => {
    ui = await renderCockpit(new MemorySource(clusters(200)), 30);
    await ui.press(KEY.pageDown);
    const afterPage = selectedLine(ui);
    expect(afterPage).not.toContain('env-00000');
    expect(ui.store.getState().selected).toBeGreaterThan(10);
    await ui.press(KEY.pageUp);
    expect(selectedLine(ui)).toContain('env-00000');
  });

  it('filters live while typing, keeps the filter on enter and clears it on esc', async () => {
    ui = await renderCockpit(new MemorySource(clusters(300)));
    await ui.press('/', '0', '0', '1', '2');
    let screen = ui.screen();
    expect(screen).toContain('/0012');
    expect(screen).toContain('env-00012');
    expect(screen).toContain('env-00120');
    expect(screen).not.toContain('env-00013');
    expect(screen).toContain('filtered 11');
    await ui.press(KEY.backspace);
    expect(ui.screen()).toContain('env-00013');
    await ui.press('2', KEY.enter);
    screen = ui.screen();
    expect(screen).toContain('filtered 11');
    // The filter prompt is closed: j moves instead of typing.
    await ui.press('j');
    expect(selectedLine(ui)).toContain('env-00120');
    await ui.press('/', KEY.escape);
    screen = ui.screen();
    expect(screen).not.toContain('filtered');
    expect(screen).toContain('env-00000');
  });

  it('says so when the filter matches nothing', async () => {
    ui = await renderCockpit(new MemorySource(clusters(10)));
    await ui.press('/', 'z', 'z', 'z');
    expect(ui.screen()).toContain('no cluster matches "zzz"');
  });

  it('marks and unmarks rows with space', async () => {
    ui = await renderCockpit(new MemorySource(clusters(10)));
    await ui.press(' ', 'j', 'j', ' ');
    const marked = ui.lines().filter((line) => /^.\*/.test(line));
    expect(marked.map((line) => line.match(/env-\d+/)?.[0])).toEqual(['env-00000', 'env-00002']);
    expect(ui.screen()).toContain('marked 2');
    await ui.press(' ');
    expect(ui.screen()).toContain('marked 1');
    await ui.press(KEY.escape);
    expect(ui.screen()).toContain('marked 0');
  });

  it('opens the details of the selected cluster with enter and closes them with esc', async () => {
    ui = await renderCockpit(new MemorySource(clusters(10)));
    await ui.press('j', KEY.enter);
    const screen = ui.screen();
    expect(screen).toContain('Cluster env-00001');
    for (const field of ['Provider:', 'Subnet:', 'Port-forward port:', 'HTTP port:', 'HTTPS port:', 'NodePort:',
      'Register Portainer:', 'HAProxy route:', 'Created:', 'Updated:']) {
      expect(screen).toContain(field);
    }
    expect(screen).toContain('20004');
    await ui.press(KEY.escape);
    expect(ui.screen()).toContain('NAME');
  });

  it('lists the focused panel\'s keys from the bindings table in the ? overlay', async () => {
    ui = await renderCockpit(new MemorySource(clusters(3)), 40);
    await ui.press('?');
    const screen = ui.screen();
    expect(screen).toContain('Keys: Clusters');
    for (const binding of bindingsFor('clusters', false)) {
      expect(screen).toContain(binding.description);
    }
    await ui.press(KEY.escape);
    expect(ui.screen()).not.toContain('Keys: Clusters');
  });

  it('switches panels with digits, tab and the command line; a panel whose subsystem the source lacks says so', async () => {
    ui = await renderCockpit(new MemorySource(clusters(3)));
    await ui.press('4');
    expect(ui.screen()).toContain('[4 DR]');
    expect(ui.screen()).toContain('DR plans are not available from this source.');
    await ui.press('2');
    expect(ui.screen()).toContain('[2 Drift]');
    await ui.press(KEY.tab);
    expect(ui.screen()).toContain('[3 Installs]');
    await ui.press('?');
    const help = ui.screen();
    expect(help).toContain('Keys: Installs');
    expect(help).toContain('deploy the dataplane');
    expect(help).not.toContain('filter rows');
    await ui.press(KEY.escape, ':', 'c', 'l', 'u', 's', 't', 'e', 'r', 's', KEY.enter);
    expect(ui.screen()).toContain('[1 Clusters]');
    expect(ui.screen()).toContain('env-00000');
  });

  it('reports an unknown command with a hint', async () => {
    ui = await renderCockpit(new MemorySource(clusters(3)));
    await ui.press(':', 'x', 'y', KEY.enter);
    const screen = ui.screen();
    expect(screen).toContain('error: unknown command ":xy"');
    expect(screen).toContain('hint: Commands: :q');
  });

  it('quits with q, with :q and with ctrl-c', async () => {
    for (const keys of [['q'], [':', 'q', KEY.enter], [KEY.ctrlC]]) {
      const run = await renderCockpit(new MemorySource(clusters(3)));
      await run.press(...keys);
      expect(run.quitCodes).toEqual([0]);
      run.unmount();
    }
  });

  it('keeps the frame at most rows - 1 lines, whatever is open', async () => {
    ui = await renderCockpit(new MemorySource(clusters(500)), 15, 80);
    const heights = [ui.lines().length];
    for (const key of ['?', KEY.escape, KEY.enter, KEY.escape, 'D', KEY.escape, '/', 'e', KEY.enter, '2']) {
      await ui.press(key);
      heights.push(ui.lines().length);
    }
    expect(Math.max(...heights)).toBeLessThanOrEqual(14);
    expect(ui.lines().every((line) => line.length <= 80)).toBe(true);
  });

  it('has one binding per action in the table', () => {
    const actions = KEY_BINDINGS.map((binding) => binding.action);
    expect(new Set(actions).size).toBe(actions.length);
  });
});
