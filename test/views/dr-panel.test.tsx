/**
 * The DR panel in the whole cockpit (keys go through the dispatcher and the bindings table): plans, executions and
 * the selected execution's actions; typed-name execute, Cancel-default cancel, read-only, live updates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../core/dr/store/types.js';
import { bindingsFor } from '../../views/keys.js';
import type { DrSource } from '../../views/panels/dr-source.js';
import { action, execution, FakeDr } from './dr-panel-fake.js';
import { MemorySource } from './fixtures.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpitWithStdout } from './render-cockpit.js';

let ui: RenderedCockpitWithStdout | undefined;
afterEach(() => {
  ui?.unmount();
  ui = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lineWith = (screen: string, text: string): string => screen.split('\n').find((line) => line.includes(text)) ?? '';

/** Two plans; an older finished execution and a running one with actions in every phase. */
function seeded(fake: FakeDr): void {
  fake.add(execution('switchover-db-0', 'switchover-db', 'Succeeded'), [action(0, 'promote', 'promote-db', 'Succeeded')]);
  fake.add(execution('failover-web-1', 'failover-web', 'Running'), [
    action(0, 'failover', 'notify-start', 'Succeeded'),
    action(1, 'failover', 'check-db', 'Failed', { attempts: 3, error: 'HTTP 503 from http://127.0.0.1/verify' }),
    action(2, 'failover', 'create-localization', 'RolledBack', { type: 'Localization' }),
    action(3, 'failover', 'sync', 'Running', { type: 'Job', startedAt: new Date(Date.now() - 12_000).toISOString() }),
    action(4, 'cleanup', 'notify-done', 'Pending'),
    action(5, 'cleanup', 'archive', 'Skipped'),
  ]);
}

async function open(options: { readonly?: boolean; rows?: number; seed?: (fake: FakeDr) => void } = {}) {
  const source = new MemorySource([], { readonly: options.readonly ?? false });
  const fake = new FakeDr(source);
  (source as MemorySource & { dr?: DrSource }).dr = fake;
  (options.seed ?? seeded)(fake);
  ui = await renderCockpit(source, options.rows ?? 30);
  await ui.press('4');
  await ui.waitFor((s) => s.includes('[4 DR]') && s.includes('switchover-db') && s.includes('ACTIONS of'), 'the DR panel');
  return { fake, ui, source };
}

describe('DR panel', () => {
  it('lists plans and executions, and moves between the sections with ←/→ and enter/esc', async () => {
    const { ui } = await open();
    let screen = ui.screen();
    expect(lineWith(screen, 'PLAN')).toMatch(/^▸ PLAN\s+NAMESPACE\s+STAGES\s+LAST EXECUTION/);
    expect(lineWith(screen, 'failover-web ')).toMatch(/^> failover-web\s+default\s+1\s+Running \(Execute failover-web-1\)/);
    expect(lineWith(screen, 'switchover-db ')).toMatch(/^ {2}switchover-db\s+default\s+2\s+Succeeded \(Execute switchover-db-0\)/);
    expect(lineWith(screen, 'EXECUTION ')).toMatch(/^ {2}EXECUTION\s+PLAN\s+KIND\s+PHASE\s+STARTED\s+DURATION/);
    expect(lineWith(screen, 'failover-web-1 ')).toMatch(/^> failover-web-1\s+failover-web\s+Execute\s+… Running\s+\d\d-\d\d \d\d:\d\d:\d\d\s+\d+s/);
    expect(lineWith(screen, 'switchover-db-0 ')).toMatch(/switchover-db-0\s+switchover-db\s+Execute\s+✓ Succeeded\s+\d\d-\d\d [\d:]{8}\s+9\.0s/);
    expect(screen).toContain('ACTIONS of failover-web-1 · Execute · Running');

    await ui.press('j');
    expect(lineWith(ui.screen(), 'switchover-db ')).toMatch(/^> switchover-db/);
    await ui.press('l', 'j');
    screen = await ui.waitFor((s) => s.includes('ACTIONS of switchover-db-0'), 'the older execution\'s actions');
    expect(screen).toMatch(/^▸ EXECUTION/m);
    expect(lineWith(screen, 'promote-db')).toMatch(/promote-db\s+HTTP\s+✓ Succeeded/);
    await ui.press('k', KEY.enter);
    screen = await ui.waitFor((s) => s.includes('ACTIONS of failover-web-1') && /^▸ ACTIONS/m.test(s), 'the actions focused');
    await ui.press('j', KEY.enter);
    screen = await ui.waitFor((s) => s.includes('Action check-db'), 'the action\'s details');
    expect(screen).toContain('Failed · 3 attempt(s)');
    expect(screen).toContain('error: HTTP 503 from http://127.0.0.1/verify');
    await ui.press(KEY.escape);
    await ui.waitFor((s) => /^▸ ACTIONS/m.test(s), 'the timeline again');
    await ui.press(KEY.escape);
    await ui.waitFor((s) => /^▸ EXECUTION/m.test(s), 'esc goes back to the executions');
    await ui.press('h');
    await ui.waitFor((s) => /^▸ PLAN/m.test(s), 'h goes back to the plans');
    expect(ui.lines().length).toBeLessThanOrEqual(29);
  });

  it('shows the selected execution as a timeline: stage → workflow → action, phase words, attempts, duration and error', async () => {
    const { ui } = await open();
    const screen = ui.screen();
    expect(lineWith(screen, 'stage failover')).toMatch(/stage failover\s+2\/4 done · 1 failed · 1 running/);
    expect(lineWith(screen, 'workflow default/failover-wf')).toBeTruthy();
    expect(lineWith(screen, 'ACTION ')).toMatch(/ACTION\s+TYPE\s+PHASE\s+ATTEMPTS\s+DURATION\s+ERROR/);
    expect(lineWith(screen, 'notify-start')).toMatch(/notify-start\s+HTTP\s+✓ Succeeded\s+1\s+0\.4s/);
    expect(lineWith(screen, 'check-db')).toMatch(/check-db\s+HTTP\s+✗ Failed\s+3\s+0\.4s\s+HTTP 503 from http:\/\/127/);
    expect(lineWith(screen, 'create-localization')).toMatch(/create-localization\s+Localization\s+↺ RolledBack\s+1/);
    expect(lineWith(screen, ' sync ')).toMatch(/sync\s+Job\s+… Running\s+1\s+1[2-9]s/);
    expect(lineWith(screen, 'stage cleanup')).toMatch(/0\/2 done · 1 pending · 1 skipped/);
    expect(lineWith(screen, 'notify-done')).toMatch(/notify-done\s+HTTP\s+· Pending\s+0\s+-/);
    expect(lineWith(screen, 'archive')).toMatch(/archive\s+HTTP\s+- Skipped\s+0\s+-/);
    // The running action's elapsed time moves on its own (a 1 s clock while something runs).
    const before = lineWith(screen, ' sync ').match(/(\d+)s/)![1];
    const later = await ui.waitFor((s) => lineWith(s, ' sync ').match(/Running\s+1\s+(\d+)s/)?.[1] !== before, 'the elapsed time to move', 3000);
    expect(Number(lineWith(later, ' sync ').match(/Running\s+1\s+(\d+)s/)![1])).toBeGreaterThan(Number(before));
  });

  it('x asks for the plan\'s name: a mismatch starts nothing, esc cancels, the name starts and follows the execution', async () => {
    const { ui, fake } = await open();
    await ui.press('j', 'x');
    let screen = await ui.waitFor((s) => s.includes('Execute DR plan default/switchover-db?'), 'the typed confirm');
    expect(screen).toContain('Type the plan\'s name "switchover-db" to confirm:');
    await ui.press(...'switchover', KEY.enter);
    screen = await ui.waitFor((s) => s.includes('that is not "switchover-db": nothing was executed'), 'the mismatch');
    expect(fake.calls).toEqual([]);
    await ui.press(KEY.escape);
    await ui.waitFor((s) => !s.includes('Execute DR plan') && s.includes('PLAN'), 'the panel again');
    expect(fake.calls).toEqual([]);

    await ui.press('x', ...'switchover-db', KEY.enter);
    screen = await ui.waitFor((s) => s.includes('ACTIONS of switchover-db-new1') && lineWith(s, 'switchover-db-new1 ').includes('Running'), 'the new execution, running');
    expect(fake.calls).toEqual(['startExecute default/switchover-db', 'run switchover-db-new1']);
    expect(lineWith(screen, 'switchover-db-new1 ')).toMatch(/^> switchover-db-new1\s+switchover-db\s+Execute\s+… Running/);
    fake.finish('switchover-db-new1', 'Succeeded');
    screen = await ui.waitFor((s) => s.includes('switchover-db-new1 Succeeded') && lineWith(s, 'switchover-db-new1 ').includes('✓ Succeeded'), 'the end of the run');
    expect(lineWith(screen, 'switchover-db ')).toContain('Succeeded (Execute switchover-db-new1)');
  });

  it('shows the service\'s refusal (a plan with an active execution) in the status line and changes nothing', async () => {
    const { ui, fake } = await open();
    await ui.press('x', ...'failover-web', KEY.enter);
    const screen = await ui.waitFor((s) => s.includes('error:'), 'the error');
    expect(screen).toContain('DR plan "failover-web" already has an active execution: Execute failover-web-1');
    expect(ui.store.getState().error?.hint).toBe('Wait for it to finish (fleetdeck dr status failover-web-1) or cancel it (fleetdeck dr cancel failover-web-1).');
    expect(fake.calls).toEqual(['startExecute default/failover-web']);
    expect(fake.executions).toHaveLength(2);
  });

  it('R reverts the selected execution after its plan\'s name is typed', async () => {
    const { ui, fake } = await open();
    await ui.press('l', 'j', 'R');
    await ui.waitFor((s) => s.includes('Revert execution switchover-db-0?'), 'the revert confirm');
    await ui.press(...'failover-web', KEY.enter);
    await ui.waitFor((s) => s.includes('nothing was reverted'), 'the mismatch');
    for (let i = 0; i < 'failover-web'.length; i += 1) await ui.press(KEY.backspace);
    await ui.press(...'switchover-db', KEY.enter);
    await ui.waitFor((s) => s.includes('ACTIONS of switchover-db-revert1 · Revert of switchover-db-0'), 'the revert, followed');
    expect(fake.calls).toEqual(['startRevert switchover-db-0', 'run switchover-db-revert1']);
    fake.finish('switchover-db-revert1', 'Succeeded');
  });

  it('c asks first with Cancel as the default; only Stop execution cancels', async () => {
    const { ui, fake } = await open();
    await ui.press('l', 'c');
    let screen = await ui.waitFor((s) => s.includes('Cancel execution failover-web-1?'), 'the cancel confirm');
    expect(screen).toContain('[ Cancel ]');
    await ui.press(KEY.enter);
    await ui.waitFor((s) => s.includes('EXECUTION'), 'the panel again');
    expect(fake.calls).toEqual([]);
    await ui.press('c', KEY.right);
    await ui.waitFor((s) => s.includes('[ Stop execution ]'), 'Stop execution chosen');
    await ui.press(KEY.enter);
    screen = await ui.waitFor((s) => lineWith(s, 'failover-web-1 ').includes('⊘ Canceled'), 'the execution cancelled');
    expect(fake.calls).toEqual(['cancel failover-web-1']);
    await ui.press('j', 'c');
    await ui.waitFor((s) => s.includes('switchover-db-0 is already Succeeded: nothing to cancel'), 'a finished one refused');
  });

  it('read-only hides x, R and c and refuses them', async () => {
    const { ui, fake } = await open({ readonly: true });
    const screen = ui.screen();
    expect(screen).toContain('enter details');
    for (const hint of ['x execute', 'R revert', 'c cancel']) expect(screen).not.toContain(hint);
    expect(bindingsFor('dr', true).map((b) => b.action)).not.toEqual(expect.arrayContaining(['execute']));
    for (const key of ['x', 'R', 'c']) {
      await ui.press(key);
      await ui.waitFor((s) => s.includes(`"${key}" changes the fleet, and fleetdeck is running read-only`), `${key} refused`);
      expect(ui.screen()).not.toContain('Type the plan');
      expect(ui.screen()).not.toContain('[ Cancel ]');
      await ui.press(KEY.escape);
    }
    await ui.press('?');
    const help = await ui.waitFor((s) => s.includes('Keys: DR (read-only)'), 'help');
    expect(help).toContain('next section');
    expect(help).not.toContain('execute the selected plan');
    expect(fake.calls).toEqual([]);
  });

  it('follows dr events live: an action moving on shows at once, and nothing is re-read without an event', async () => {
    const { ui, fake } = await open();
    await sleep(100);
    const reads = fake.statusReads;
    await sleep(400);
    expect(fake.statusReads).toBe(reads);
    const actions = fake.actions.get('failover-web-1')!;
    actions[3] = { ...actions[3]!, phase: 'Succeeded', finishedAt: new Date().toISOString() };
    actions[4] = { ...actions[4]!, phase: 'Running', attempts: 1, startedAt: new Date().toISOString() };
    fake.emit('execution.progress', 'failover-web-1');
    const screen = await ui.waitFor((s) => /sync\s+Job\s+✓ Succeeded/.test(s), 'the progress');
    expect(lineWith(screen, 'notify-done')).toMatch(/… Running\s+1/);
    fake.setPhase('failover-web-1', 'Failed' as ExecutionRecord['phase']);
    fake.emit('execution.finished', 'failover-web-1');
    await ui.waitFor((s) => lineWith(s, 'failover-web-1 ').includes('✗ Failed') && s.includes('ACTIONS of failover-web-1 · Execute · Failed'), 'the end');
  });

  it('enter on a plan shows its dry run, secrets as the service redacted them', async () => {
    const { ui, fake } = await open();
    await ui.press(KEY.enter);
    const screen = await ui.waitFor((s) => s.includes('notify-start (HTTP)'), 'the dry run');
    expect(screen).toContain('Dry run of default/failover-web: nothing runs');
    expect(screen).toContain('workflow default/failover-wf · FailFast · notifyURL=http://127.0.0.1:1/hooks');
    expect(screen).toMatch(/Authorization: "?\*{6}"?/);
    expect(fake.dryRuns).toContain('default/failover-web');
    await ui.press(KEY.escape);
    await ui.waitFor((s) => s.includes('LAST EXECUTION'), 'the panel again');
  });

  it('renders only the visible window of long tables and keeps the frame inside the terminal', async () => {
    const { ui } = await open({
      rows: 24,
      seed: (fake) => {
        for (let i = 0; i < 300; i += 1) fake.add(execution(`old-${String(i).padStart(3, '0')}`, 'failover-web', 'Succeeded'), []);
        fake.add(execution('big-1', 'failover-web', 'Succeeded'),
          Array.from({ length: 200 }, (_, i) => action(i, 'failover', `step-${String(i).padStart(3, '0')}`, 'Succeeded')));
      },
    });
    let screen = await ui.waitFor((s) => s.includes('step-000'), 'the first actions');
    expect(ui.lines().length).toBeLessThanOrEqual(23);
    expect(screen.split('\n').filter((l) => /old-\d{3}/.test(l)).length).toBeLessThanOrEqual(6);
    expect(screen.split('\n').filter((l) => /step-\d{3}/.test(l)).length).toBeLessThanOrEqual(12);
    await ui.press('l', 'l', 'G');
    screen = await ui.waitFor((s) => s.includes('step-199'), 'the last action');
    expect(screen).not.toContain('step-000');
    expect(lineWith(screen, 'step-199')).toMatch(/^> /);
    expect(ui.lines().length).toBeLessThanOrEqual(23);
  });
});
