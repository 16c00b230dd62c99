import { afterEach, describe, expect, it } from 'vitest';
import { bindingsFor } from '../../views/keys.js';
import { MemorySource, clusters } from './fixtures.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpit } from './render-cockpit.js';

let ui: RenderedCockpit | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

describe('deleting from the Clusters panel', () => {
  it('asks for confirmation with Cancel as the default, so enter right away deletes nothing', async () => {
    const source = new MemorySource(clusters(5));
    ui = await renderCockpit(source);
    await ui.press('j', 'D');
    const screen = ui.screen();
    expect(screen).toContain('Delete cluster env-00001?');
    expect(screen).toContain('[ Cancel ]');
    expect(screen).not.toContain('[ Delete ]');
    await ui.press(KEY.enter);
    expect(source.removed).toEqual([]);
    expect(ui.screen()).toContain('env-00001');
    await ui.press('D', KEY.escape);
    expect(source.removed).toEqual([]);
  });

  it('deletes the selected cluster after choosing Delete, and the row goes away', async () => {
    const source = new MemorySource(clusters(5));
    ui = await renderCockpit(source);
    await ui.press('j', 'D', KEY.right);
    expect(ui.screen()).toContain('[ Delete ]');
    await ui.press(KEY.enter);
    await ui.waitFor((s) => s.includes('clusters 4'), 'the row to disappear');
    expect(ui.lines().filter((line) => line.includes('env-00001 '))).toEqual([]);
    expect(source.removed).toEqual(['env-00001']);
    expect(ui.screen()).toContain('deleted cluster env-00001');
  });

  it('deletes every marked cluster in one confirmation', async () => {
    const source = new MemorySource(clusters(6));
    ui = await renderCockpit(source);
    await ui.press(' ', 'j', 'j', ' ', 'D');
    expect(ui.screen()).toContain('Delete 2 marked clusters?');
    await ui.press(KEY.tab, KEY.enter);
    await ui.waitFor((s) => s.includes('clusters 4'), 'two rows to go');
    expect(source.removed).toEqual(['env-00000', 'env-00002']);
    expect(ui.screen()).toContain('marked 0');
  });

  it('shows what went wrong and the hint when the engine refuses', async () => {
    const source = new MemorySource(clusters(3));
    source.failRemove = Object.assign(new Error('cluster "env-00000" is locked by operation 7'),
      { code: 'CONFLICT', hint: 'Wait for the operation to finish or undo it.' });
    ui = await renderCockpit(source);
    await ui.press('D', KEY.right, KEY.enter);
    const screen = await ui.waitFor((s) => s.includes('error:'), 'the error');
    expect(screen).toContain('env-00000: cluster "env-00000" is locked by operation 7');
    expect(screen).toContain('hint: Wait for the operation to finish or undo it.');
    expect(screen).toContain('clusters 3');
    await ui.press(KEY.escape);
    expect(ui.screen()).not.toContain('error:');
  });
});

describe('read-only mode', () => {
  it('shows READ-ONLY, hides D from the help and the key line, and refuses it', async () => {
    const source = new MemorySource(clusters(3), { readonly: true });
    ui = await renderCockpit(source, 40);
    let screen = ui.screen();
    expect(screen).toContain('READ-ONLY');
    expect(screen).not.toContain('D delete');
    await ui.press('?');
    screen = ui.screen();
    expect(screen).toContain('(read-only)');
    expect(screen).not.toContain('delete the selected');
    expect(bindingsFor('clusters', true).some((binding) => binding.mutating)).toBe(false);
    await ui.press(KEY.escape, 'D');
    screen = ui.screen();
    expect(screen).not.toContain('Delete cluster');
    expect(screen).toContain('fleetdeck is running read-only');
    expect(screen).toContain('hint: Restart without --readonly');
    expect(source.removed).toEqual([]);
  });

  it('lists D in the help when not read-only, and marks the sandbox on the status line', async () => {
    ui = await renderCockpit(new MemorySource(clusters(3), { sandbox: true }), 40);
    expect(ui.screen()).toContain('SANDBOX');
    expect(ui.screen()).not.toContain('READ-ONLY');
    await ui.press('?');
    expect(ui.screen()).toContain('delete the selected (or marked) clusters');
  });
});
