import { afterEach, describe, expect, it } from 'vitest';
import { MemorySource, clusters } from './fixtures.js';
import { EXTERNAL_STAGES, MemoryInstalls, stage } from './fake-installs.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpit } from './render-cockpit.js';

let ui: RenderedCockpit | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

const lineOf = (u: RenderedCockpit, text: string) => u.lines().find((line) => line.includes(text)) ?? '';

async function installsCockpit(options: { readonly?: boolean; rows?: number } = {}) {
  const source = new MemorySource(clusters(2), { readonly: options.readonly ?? false });
  const names = Array.from({ length: options.rows ?? 3 }, (_, i) => `gpu-${i}`);
  const installs = new MemoryInstalls(source, names.map((name, i) =>
    [name, i === 1 ? 'deployed' : 'pending', i === 2 ? 'lens-managed' : i === 1 ? 'external' : null]));
  source.installs = installs;
  const rendered = await renderCockpit(source, 34, 140);
  await rendered.press('3');
  await rendered.waitFor((s) => s.includes('gpu-0 ·'), 'the rows and the selected cluster');
  return { source, installs, ui: rendered };
}

describe('the Installs panel', () => {
  it('lists each cluster\'s dataplane status and storage mode, and moves between them', async () => {
    const run = await installsCockpit();
    ui = run.ui;
    expect(lineOf(ui, 'gpu-1')).toMatch(/gpu-1\s+deployed\s+external/);
    expect(lineOf(ui, 'gpu-2')).toMatch(/gpu-2\s+pending\s+lens-managed/);
    expect(ui.screen()).toContain('gpu-0 · dataplane pending · storage unset (external) · no install yet');
    await ui.press('j');
    await ui.waitFor((s) => s.includes('gpu-1 · dataplane deployed'), 'the second cluster');
  });

  it('d deploys; the stages then follow the task live: done, running with elapsed time, failed with its error', async () => {
    const run = await installsCockpit();
    ui = run.ui;
    await ui.press('d');
    let screen = await ui.waitFor((s) => s.includes('deploy queued: task 1'), 'the trigger result');
    await ui.waitFor((s) => s.includes('task 1 pending'), 'the task');
    screen = ui.screen();
    for (const name of EXTERNAL_STAGES) expect(lineOf(ui, `· ${name}`)).toContain('pending');
    expect(screen).toMatch(/#1 deploy\s+pending/);
    run.installs.setStages('gpu-0', [stage(0, EXTERNAL_STAGES[0]!, 'completed', { finishedAt: new Date().toISOString() }),
      stage(1, EXTERNAL_STAGES[1]!, 'running'), ...EXTERNAL_STAGES.slice(2).map((n, i) => stage(i + 2, n, 'pending'))]);
    screen = await ui.waitFor((s) => s.includes('… lens-storage-check'), 'the running stage');
    expect(lineOf(ui, '✓ lens-operators')).toContain('done');
    expect(lineOf(ui, '… lens-storage-check')).toMatch(/running 1\ds/);
    expect(lineOf(ui, 'gpu-0')).toMatch(/deploying\s+-\s+1 running 1\/5 lens-storage-check/);
    run.installs.setStages('gpu-0', [stage(0, EXTERNAL_STAGES[0]!, 'completed'),
      stage(1, EXTERNAL_STAGES[1]!, 'failed', { error: 'pod lens-check: CrashLoopBackOff' }),
      ...EXTERNAL_STAGES.slice(2).map((n, i) => stage(i + 2, n, 'pending'))], 'lens-storage-check: CrashLoopBackOff');
    screen = await ui.waitFor((s) => s.includes('✗ lens-storage-check'), 'the failure');
    expect(lineOf(ui, '✗ lens-storage-check')).toContain('failed: pod lens-check: CrashLoopBackOff');
    expect(lineOf(ui, 'gpu-0 ')).toContain('failed');
  });

  it('R retries the failed install; a deploy while one is active is refused with the reason', async () => {
    const run = await installsCockpit();
    ui = run.ui;
    await ui.press('d');
    await ui.waitFor((s) => s.includes('deploy queued: task 1'), 'the first deploy');
    await ui.press('d');
    let screen = await ui.waitFor((s) => s.includes('error:'), 'the refusal');
    expect(screen).toContain('already has an active install: task 1');
    expect(screen).toContain('hint: Wait for it to finish');
    run.installs.setStages('gpu-0', [stage(0, EXTERNAL_STAGES[0]!, 'failed', { error: 'helm timed out' })], 'helm timed out');
    await ui.waitFor((s) => s.includes('✗ lens-operators'), 'the failure');
    await ui.press(KEY.escape, 'R');
    screen = await ui.waitFor((s) => s.includes('retry queued: task 1'), 'the retry');
    expect(run.installs.triggered).toEqual(['deploy gpu-0', 'retry gpu-0']);
  });

  it('deploys the marked clusters at most 4 at a time and shows each one\'s result', async () => {
    const run = await installsCockpit({ rows: 9 });
    ui = run.ui;
    run.installs.triggerDelayMs = 30;
    await run.installs.trigger('gpu-3'); // busy: its row will be refused
    for (let i = 0; i < 9; i += 1) await ui.press(' ', 'j');
    await ui.press('d');
    const screen = await ui.waitFor((s) => s.includes('deploy: 8 queued, 1 refused'), 'the bulk deploy');
    expect(run.installs.maxActive).toBeLessThanOrEqual(4);
    expect(run.installs.maxActive).toBeGreaterThan(1);
    expect(lineOf(ui, 'gpu-3 ')).toContain('deploy refused: cluster "gpu-3" already has an active install');
    expect(lineOf(ui, 'gpu-8 ')).toMatch(/deploy queued: task \d+/);
    expect(screen).toContain('hint: Press l on a row');
  });

  it('l shows the installer output of the selected cluster, or says there is none', async () => {
    const run = await installsCockpit();
    ui = run.ui;
    await ui.press('l');
    expect(ui.screen()).toContain('no install has run on gpu-0 yet');
    await ui.press(KEY.escape, 'd');
    await ui.waitFor((s) => s.includes('task 1 pending'), 'the task');
    run.installs.setStages('gpu-0', [stage(0, EXTERNAL_STAGES[0]!, 'skipped', { detail: 'release lens-operators is deployed' }),
      stage(1, EXTERNAL_STAGES[1]!, 'failed', { error: 'ImagePullBackOff on lens-check' })], 'lens-storage-check: ImagePullBackOff');
    await ui.waitFor((s) => s.includes('✗ lens-storage-check'), 'the failure');
    await ui.press('l');
    const screen = ui.screen();
    expect(screen).toContain('Installer output: gpu-0 · task 1 failed · runner process');
    expect(screen).toContain('task 1: lens-storage-check: ImagePullBackOff');
    expect(screen).toContain('lens-operators: release lens-operators is deployed');
    expect(screen).toContain('lens-storage-check: error: ImagePullBackOff on lens-check');
  });

  it('hides and refuses d and R when read-only, and keeps l', async () => {
    const run = await installsCockpit({ readonly: true });
    ui = run.ui;
    expect(ui.screen()).not.toContain('d deploy');
    expect(ui.screen()).toContain('l output');
    await ui.press('d');
    expect(ui.screen()).toContain('fleetdeck is running read-only');
    await ui.press(KEY.escape, 'R');
    expect(ui.screen()).toContain('fleetdeck is running read-only');
    expect(run.installs.triggered).toEqual([]);
  });
});
