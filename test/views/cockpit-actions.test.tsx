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
  it('asks for the name to be typed; enter without it, or esc, deletes nothing', async () => {
    const source = new MemorySource(clusters(5));
    ui = await renderCockpit(source);
    await ui.press('j', 'D');
    let screen = ui.screen();
    expect(screen).toContain('Delete cluster env-00001?');
    expect(screen).toContain('Type "env-00001" to confirm');
    await ui.press(KEY.enter);
    expect(ui.screen()).toContain('that is not "env-00001": nothing was deleted');
    await ui.press(...'env-0000'.split(''), KEY.enter);
    expect(source.removed).toEqual([]);
    await ui.press(KEY.escape);
    screen = ui.screen();
    expect(screen).not.toContain('Delete cluster');
    expect(screen).toContain('env-00001');
    expect(source.removed).toEqual([]);
  });

  it('deletes the selected cluster once its name is typed, and the row goes away', async () => {
    const source = new MemorySource(clusters(5));
    ui = await renderCockpit(source);
    await ui.press('j', 'D', ...'env-00001'.split(''));
    expect(ui.screen()).toContain('Type "env-00001" to confirm: env-00001');
    await ui.press(KEY.enter);
    await ui.waitFor((s) => s.includes('clusters 4'), 'the row to disappear');
    expect(ui.lines().filter((line) => line.includes('env-00001 '))).toEqual([]);
    expect(source.removed).toEqual(['env-00001']);
    expect(ui.screen()).toContain('deleted cluster env-00001');
  });

  it('deletes every marked cluster after typing "delete N"', async () => {
    const source = new MemorySource(clusters(6));
    ui = await renderCockpit(source);
    await ui.press(' ', 'j', 'j', ' ', 'D');
    expect(ui.screen()).toContain('Delete 2 marked clusters?');
    await ui.press(...'delete 2'.split(''), KEY.enter);
    await ui.waitFor((s) => s.includes('clusters 4'), 'two rows to go');
    expect(source.removed).toEqual(['env-00000', 'env-00002']);
    expect(ui.screen()).toContain('marked 0');
  });

  it('shows what went wrong and the hint when the engine refuses', async () => {
    const source = new MemorySource(clusters(3));
    source.failRemove = Object.assign(new Error('cluster "env-00000" is locked by operation 7'),
      { code: 'CONFLICT', hint: 'Wait for the operation to finish or undo it.' });
    ui = await renderCockpit(source);
    await ui.press('D', ...'env-00000'.split(''), KEY.enter);
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
    expect(ui.screen()).toContain('delete the selected (or marked) clusters, typing the name');
  });
});

describe('keys typed while the process was busy', () => {
  it('takes a chunk of several keys one at a time, as they were typed', async () => {
    ui = await renderCockpit(new MemorySource(clusters(300)));
    await ui.press('/0012');
    expect(ui.screen()).toContain('filtered 11');
    await ui.press('\rj');
    expect(ui.lines().find((line) => line.startsWith('>'))).toContain('env-00120');
  });
});
