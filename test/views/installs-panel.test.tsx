import { afterEach, describe, expect, it } from 'vitest';
import { EXTERNAL_STAGES as SEED_EXTERNAL_STAGES, RELEASES } from '../../core/dataplane/index.js';
import type { InstallScheduler } from '../../core/dataplane/index.js';
import { addTarget, openWorld } from '../core/dataplane/world.js';
import type { World } from '../core/dataplane/world.js';
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
const [FIRST, SECOND] = [EXTERNAL_STAGES[0]!, EXTERNAL_STAGES[1]!];

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
  it('uses the seed\'s stage names', () => {
    expect(EXTERNAL_STAGES).toEqual([...SEED_EXTERNAL_STAGES]);
  });

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
    await ui.waitFor((s) => s.includes('task 1 queued'), 'the task');
    screen = ui.screen();
    expect(screen).toContain('task 1 queued, attempt 1/4');
    // Queued, not yet claimed: the row says so too.
    expect(lineOf(ui, 'gpu-0 ')).toMatch(/gpu-0\s+\S+\s+-\s+1 queued 0\/5/);
    expect(screen).toMatch(/queued for [\d.]+s: waiting for an install worker/);
    for (const name of EXTERNAL_STAGES) expect(lineOf(ui, `· ${name}`)).toContain('pending');
    expect(screen).toMatch(/#1 deploy\s+pending/);
    run.installs.setStages('gpu-0', [stage(0, FIRST, 'completed', { finishedAt: new Date().toISOString() }),
      stage(1, SECOND, 'running'), ...EXTERNAL_STAGES.slice(2).map((n, i) => stage(i + 2, n, 'pending'))]);
    screen = await ui.waitFor((s) => s.includes(`… ${SECOND}`), 'the running stage');
    expect(lineOf(ui, `✓ ${FIRST}`)).toContain('done');
    expect(lineOf(ui, `… ${SECOND}`)).toMatch(/running 1\ds/);
    expect(lineOf(ui, 'gpu-0')).toMatch(new RegExp(`deploying\\s+-\\s+1 running 1/5 ${SECOND}`));
    run.installs.setStages('gpu-0', [stage(0, FIRST, 'completed'),
      stage(1, SECOND, 'failed', { error: 'pod lens-migrate: CrashLoopBackOff' }),
      ...EXTERNAL_STAGES.slice(2).map((n, i) => stage(i + 2, n, 'pending'))], `${SECOND}: CrashLoopBackOff`);
    screen = await ui.waitFor((s) => s.includes(`✗ ${SECOND}`), 'the failure');
    expect(lineOf(ui, `✗ ${SECOND}`)).toContain('failed: pod lens-migrate: CrashLoopBackOff');
    expect(lineOf(ui, 'gpu-0 ')).toContain('failed');
    // After the last retry the header counts 4 attempts of 4 (1 + 3 retries), never "4/3".
    expect(screen).toContain('task 1 failed, attempt 4/4');
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
    run.installs.setStages('gpu-0', [stage(0, FIRST, 'failed', { error: 'helm timed out' })], 'helm timed out');
    await ui.waitFor((s) => s.includes(`✗ ${FIRST}`), 'the failure');
    await ui.press(KEY.escape, 'R');
    screen = await ui.waitFor((s) => s.includes('retry queued: task 1'), 'the retry');
    expect(run.installs.triggered).toEqual(['deploy gpu-0', 'retry gpu-0']);
  });

  it('a bulk deploy keeps at most 4 of the marked clusters\' installs active, and follows each row to its end', async () => {
    const run = await installsCockpit({ rows: 9 });
    ui = run.ui;
    run.installs.triggerDelayMs = 10;
    await run.installs.trigger('gpu-3'); // busy: its row will be refused
    const marked = Array.from({ length: 9 }, (_, i) => `gpu-${i}`).filter((n) => n !== 'gpu-3');
    const activeMarked = () => run.installs.activeTasks().filter((n) => n !== 'gpu-3');
    for (let i = 0; i < 9; i += 1) await ui.press(' ', 'j');
    await ui.press('d');
    await ui.waitFor(() => activeMarked().length === 4, 'four installs started');
    let screen = await ui.waitFor((s) => s.includes('waiting (9 of 9)'), 'the clusters still waiting');
    expect(activeMarked()).toHaveLength(4);
    expect(lineOf(ui, 'gpu-3 ')).toContain('deploy refused: cluster "gpu-3" already has an active');

    // One install moves on: its row shows the running stage; the others are still queued.
    const first = activeMarked()[0]!;
    run.installs.setStages(first, [stage(0, FIRST, 'completed'), stage(1, SECOND, 'running'), ...EXTERNAL_STAGES.slice(2).map((n, i) => stage(i + 2, n, 'pending'))]);
    await ui.waitFor((s) => lineOf(ui!, `${first} `).includes(`running 1/5 ${SECOND}`), 'the row\'s progress');

    // Finish them one by one (one fails): each end lets the next marked cluster start, never more than 4 at once.
    let maxActive = 0;
    let failedOne: string | null = null;
    for (let finished = 0; finished < marked.length; finished += 1) {
      await ui.waitFor(() => activeMarked().length > 0, 'an active install');
      maxActive = Math.max(maxActive, activeMarked().length);
      const next = activeMarked()[0]!;
      if (failedOne === null) {
        failedOne = next;
        run.installs.setStages(next, [stage(0, FIRST, 'failed', { error: 'helm timed out' })], 'StageInit: helm timed out');
      } else {
        run.installs.complete(next);
      }
      await ui.waitFor(() => !activeMarked().includes(next) && (activeMarked().length === Math.min(4, marked.length - finished - 1)), 'the next cluster to start');
    }
    screen = await ui.waitFor((s) => s.includes('deploy: 7 deployed, 1 failed, 1 refused'), 'the bulk deploy summary');
    expect(maxActive).toBe(4);
    expect(run.installs.triggered.filter((t) => t.startsWith('deploy'))).toHaveLength(1 + marked.length);
    expect(lineOf(ui, `${failedOne!} `)).toContain('failed: StageInit: helm timed out');
    expect(lineOf(ui, 'gpu-8 ')).toMatch(/deployed \(task \d+, 5\/5 stages\)/);
    expect(screen).toContain('hint: Press l on a row');
  });

  it('l shows the installer output of the selected cluster, or says there is none', async () => {
    const run = await installsCockpit();
    ui = run.ui;
    await ui.press('l');
    expect(ui.screen()).toContain('no install has run on gpu-0 yet');
    await ui.press(KEY.escape, 'd');
    await ui.waitFor((s) => s.includes('task 1 queued'), 'the task');
    run.installs.setStages('gpu-0', [stage(0, FIRST, 'skipped', { detail: 'external storage: the database is assumed configured' }),
      stage(1, SECOND, 'failed', { error: 'ImagePullBackOff on lens-migrate', output: 'Error: UPGRADE FAILED: context deadline exceeded' })],
      `${SECOND}: ImagePullBackOff`);
    await ui.waitFor((s) => s.includes(`✗ ${SECOND}`), 'the failure');
    await ui.press('l');
    const screen = ui.screen();
    expect(screen).toContain('Installer output: gpu-0 · task 1 failed · runner process');
    expect(screen).toContain(`task 1: ${SECOND}: ImagePullBackOff`);
    expect(screen).toContain(`── ${FIRST}: skipped · external storage: the database is assumed configured`);
    expect(screen).toContain('error: ImagePullBackOff on lens-migrate');
    expect(screen).toContain('Error: UPGRADE FAILED: context deadline exceeded');
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

describe('the Installs panel on the real installer (PGlite, sandbox cluster, fake helm)', () => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await world?.close();
    world = null;
  });

  it('d with no install worker running: the task shows queued and the cluster stays pending; when a worker starts it, deploying, then deployed', async () => {
    world = await openWorld('pglite', { helmEnv: { FAKE_HELM_DELAY_MS: '1500', FAKE_HELM_DELAY_RELEASE: RELEASES.applications } });
    await addTarget(world, 'gpu-queued', 'external');
    const { engine, dataplane } = world;
    const source = new MemorySource(clusters(1));
    source.installs = dataplane.service;
    const unsubscribe = engine.events.subscribe((event) => source.emit(event), ['installs']);
    try {
      ui = await renderCockpit(source, 40, 160);
      await ui.press('3');
      await ui.waitFor((s) => s.includes('gpu-queued · dataplane pending'), 'the real cluster');
      await ui.press('d');
      let screen = await ui.waitFor((s) => /task \d+ queued, attempt 1\/4/.test(s), 'the queued task');
      expect(lineOf(ui, 'gpu-queued ')).toMatch(/gpu-queued\s+pending\s+external\s+\d+ queued 0\/5/);
      expect(screen).toContain('gpu-queued · dataplane pending');
      expect(screen).toMatch(/queued for [\d.]+s: waiting for an install worker/);
      // Still nothing installs a second later: no stage running, the cluster not deploying.
      await new Promise((r) => setTimeout(r, 1000));
      screen = ui.screen();
      expect(screen).toContain('gpu-queued · dataplane pending');
      expect(screen).not.toContain('running');

      scheduler = dataplane.scheduler();
      await scheduler.start();
      screen = await ui.waitFor((s) => s.includes('gpu-queued · dataplane deploying'), 'the worker to start the install', 20_000);
      expect(lineOf(ui, 'gpu-queued ')).toMatch(/gpu-queued\s+deploying\s+external\s+\d+ running/);
      expect(screen).not.toMatch(/queued for/);
      await ui.waitFor((s) => s.includes('gpu-queued · dataplane deployed'), 'the install to finish', 60_000);
      expect(lineOf(ui, 'gpu-queued ')).toMatch(/gpu-queued\s+deployed\s+external\s+\d+ completed 5\/5/);
    } finally {
      unsubscribe();
    }
  }, 90_000);

  it('the history under the stages lists each deploy and retry, newest first, with its result, who asked and the error', async () => {
    // The applications chart fails its first 4 installs: the deploy's attempt and its 3 retries; the retry (R) succeeds.
    world = await openWorld('pglite', { helmEnv: { FAKE_HELM_FAIL: RELEASES.applications, FAKE_HELM_FAIL_COUNT: '4' } });
    await addTarget(world, 'gpu-hist', 'external');
    const { engine, dataplane } = world;
    const source = new MemorySource(clusters(1));
    source.installs = dataplane.service;
    const unsubscribe = engine.events.subscribe((event) => source.emit(event), ['installs']);
    try {
      scheduler = dataplane.scheduler();
      await scheduler.start();
      ui = await renderCockpit(source, 40, 160);
      await ui.press('3');
      await ui.waitFor((s) => s.includes('gpu-hist · dataplane pending'), 'the real cluster');
      expect(ui.screen()).not.toContain('history');
      await ui.press('d');
      let screen = await ui.waitFor((s) => s.includes('gpu-hist · dataplane failed'), 'the deploy to fail after its retries', 60_000);
      expect(screen).toMatch(/task \d+ failed, attempt 4\/4/);
      expect(lineOf(ui, '#1 ')).toMatch(/^\s+#1 deploy\s+failed\s+external\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d by ana@jumpbox · StageApplications: helm upgrade --install primus-lens-apps failed/);

      await ui.press('R');
      screen = await ui.waitFor((s) => s.includes('gpu-hist · dataplane deployed'), 'the retry to finish', 60_000);
      const lines = ui.lines();
      const at = (prefix: RegExp) => lines.findIndex((line) => prefix.test(line));
      expect(lines[at(/^\s+#2 /)]).toMatch(/^\s+#2 retry\s+completed\s+external\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d by ana@jumpbox\s*$/);
      expect(lines[at(/^\s+#1 /)]).toMatch(/#1 deploy\s+failed\s+external\s+.* by ana@jumpbox · StageApplications: /);
      // Newest first, under a "history" heading that follows the stages.
      expect(at(/^history\s*$/)).toBeGreaterThan(at(/StageWaitApps/));
      expect(at(/^\s+#2 /)).toBe(at(/^history\s*$/) + 1);
      expect(at(/^\s+#1 /)).toBe(at(/^\s+#2 /) + 1);
    } finally {
      unsubscribe();
    }
  }, 120_000);

  it('d queues a real task; the scheduler runs the seed\'s stages and the panel shows them done, with helm\'s output under l', async () => {
    world = await openWorld('pglite');
    await addTarget(world, 'gpu-real', 'external');
    const { engine, dataplane } = world;
    const source = new MemorySource(clusters(1));
    source.installs = dataplane.service;
    const unsubscribe = engine.events.subscribe((event) => source.emit(event), ['installs']);
    try {
      scheduler = dataplane.scheduler();
      await scheduler.start();
      ui = await renderCockpit(source, 40, 160);
      await ui.press('3');
      await ui.waitFor((s) => s.includes('gpu-real · dataplane pending'), 'the real cluster');
      await ui.press('d');
      const screen = await ui.waitFor((s) => s.includes('gpu-real · dataplane deployed'), 'the install to finish', 60_000);
      for (const name of SEED_EXTERNAL_STAGES) expect(lineOf(ui, ` ${name} `)).toMatch(/^\s+✓/);
      expect(lineOf(ui, 'StageApplications')).toContain('done');
      expect(screen).toMatch(/task \d+ completed, attempt 1\/4/);
      await ui.press('l');
      const output = await ui.waitFor((s) => s.includes('Installer output: gpu-real'), 'the installer output');
      expect(output).toContain('── StageApplications: completed');
      // helm's own output for the stage, kept in the task journal.
      expect(output).toContain(`NAME: ${RELEASES.applications}`);
      expect(output).toMatch(/STATUS: deployed/);
    } finally {
      unsubscribe();
    }
  }, 90_000);
});
