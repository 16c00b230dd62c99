import { afterEach, describe, expect, it } from 'vitest';
import { MemorySource, clusters } from './fixtures.js';
import { envCreateKind } from '../../core/lifecycle/create-kind.js';
import type { LifecycleKindDeps } from '../../core/lifecycle/create-kind.js';
import { envDeleteKind } from '../../core/lifecycle/delete-kind.js';
import { CREATE_STEPS, DELETE_STEPS, MemoryLifecycle } from './fake-lifecycle.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpit } from './render-cockpit.js';

let ui: RenderedCockpit | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

async function lifecycleCockpit(options: { readonly?: boolean } = {}) {
  const source = new MemorySource(clusters(3), { readonly: options.readonly ?? false });
  const lifecycle = new MemoryLifecycle(source);
  source.lifecycle = lifecycle;
  return { source, lifecycle, ui: await renderCockpit(source, 30) };
}

const type = (text: string) => text.split('');

describe('creating and deleting environments from the Clusters panel', () => {
  it('fakes the steps the engine really runs', () => {
    // Listing the steps touches none of the dependencies.
    const deps = {} as LifecycleKindDeps;
    expect(CREATE_STEPS).toEqual(envCreateKind(deps).steps({ spec: { name: 'dev', provider: 'kind' } }).map((step) => step.name));
    expect(DELETE_STEPS).toEqual(envDeleteKind(deps).steps({ name: 'dev', provider: 'kind' }).map((step) => step.name));
  });

  it('c opens a form; enter creates, and the steps show live as they run', async () => {
    const run = await lifecycleCockpit();
    ui = run.ui;
    run.lifecycle.manual = true;
    await ui.press('c');
    expect(ui.screen()).toContain('Create an environment');
    await ui.press(...type('dev-2'), KEY.tab, KEY.right);
    expect(ui.screen()).toContain('Name:     dev-2');
    await ui.press(KEY.enter);
    await ui.waitFor((s) => s.includes('env.create dev-2: running'), 'the operation');
    expect(ui.screen()).toContain('… validate');
    expect(ui.screen()).toContain('· haproxy');
    await run.lifecycle.next();
    await run.lifecycle.next();
    let screen = await ui.waitFor((s) => s.includes('✓ inventory'), 'two steps done');
    expect(screen).toContain('✓ validate');
    expect(screen).toContain('… git-branch');
    screen = await ui.waitFor((s) => s.includes('dev-2 ') && s.includes('clusters 4'), 'the new row');
    expect(screen).toMatch(/dev-2\s+kind/);
    for (let i = 0; i < 5; i += 1) await run.lifecycle.next();
    screen = await ui.waitFor((s) => s.includes('env.create dev-2: succeeded'), 'the end');
    expect(screen).toContain('✓ haproxy');
    expect(screen).toContain('created environment dev-2');
    await ui.press(KEY.escape, KEY.escape);
    expect(ui.screen()).not.toContain('env.create');
  });

  it('shows a failed step with its error and the ops resume command', async () => {
    const run = await lifecycleCockpit();
    ui = run.ui;
    run.lifecycle.failAt = 'cluster';
    await ui.press('c', ...type('qa-9'), KEY.enter);
    const screen = await ui.waitFor((s) => s.includes('env.create qa-9: failed'), 'the failure');
    expect(screen).toContain('✓ git-branch');
    expect(screen).toContain('✗ cluster: k3d cluster create exited with 1');
    expect(screen).toContain('· portainer');
    expect(screen).toContain('fleetdeck ops resume 100');
    expect(screen).toContain('error: step "cluster" of operation 100');
  });

  it('refuses an empty name without starting anything', async () => {
    const run = await lifecycleCockpit();
    ui = run.ui;
    await ui.press('c', KEY.enter);
    expect(ui.screen()).toContain('an environment needs a name');
    expect(run.lifecycle.ops.size).toBe(0);
  });

  it('D deletes through the delete operation once the name is typed, showing its steps', async () => {
    const run = await lifecycleCockpit();
    ui = run.ui;
    await ui.press('j', 'D', KEY.enter);
    expect(run.lifecycle.ops.size).toBe(0);
    await ui.press(...type('env-00001'), KEY.enter);
    const screen = await ui.waitFor((s) => s.includes('env.delete env-00001: succeeded'), 'the delete');
    expect(screen).toContain('✓ inventory');
    expect(screen).toContain('✓ argocd');
    expect(screen).toContain('deleted cluster env-00001');
    await ui.waitFor((s) => s.includes('clusters 2'), 'the row to go');
    expect(run.source.removed).toEqual([]); // not the bare inventory removal
  });

  it('follows an operation started by another process', async () => {
    const run = await lifecycleCockpit();
    ui = run.ui;
    void run.lifecycle.create('from-cli', 'k3d');
    await ui.waitFor((s) => s.includes('env.create from-cli: succeeded'), 'the other process\'s operation');
  });

  it('hides and refuses c when read-only', async () => {
    const run = await lifecycleCockpit({ readonly: true });
    ui = run.ui;
    expect(ui.screen()).not.toContain('c create');
    await ui.press('c');
    expect(ui.screen()).not.toContain('Create an environment');
    expect(ui.screen()).toContain('fleetdeck is running read-only');
  });
});
