/**
 * The DR panel against the real DrService on PGlite, with a plan of HTTP actions calling a loopback server:
 * executed from the panel by typing the plan's name, followed live through the service's `dr` events to the end.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventRelay } from '../../core/db/notifications.js';
import { DrService } from '../../core/dr/dr-service.js';
import type { Action } from '../../core/dr/schema/types.js';
import { FleetError } from '../../core/errors.js';
import { EventBus } from '../../core/events.js';
import type { DrSource } from '../../views/panels/dr-source.js';
import { openTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { httpAction, planYaml, startHookServer } from '../core/dr/executor/support.js';
import type { HookServer } from '../core/dr/executor/support.js';
import { MemorySource } from './fixtures.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpitWithStdout } from './render-cockpit.js';

const noKube = async (): Promise<never> => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); };
const lineWith = (screen: string, text: string): string => screen.split('\n').find((line) => line.includes(text)) ?? '';
const SECRET = 'Bearer s3cr3t-hook-token';

describe('the DR panel on the real DR service (PGlite)', () => {
  let test: TestDatabase;
  let hooks: HookServer;
  let dr: DrService;
  let ui: RenderedCockpitWithStdout | undefined;

  beforeAll(async () => {
    // The secret header is stored sealed: the service needs a key for it.
    vi.stubEnv('FLEETDECK_SECRET_KEY', 'ab'.repeat(32));
    test = await openTestDatabase('pglite');
    hooks = await startHookServer();
    const bus = new EventBus();
    dr = new DrService({ db: test.db, actor: { user: 'ana', host: 'jumpbox' }, readonly: false, relay: new EventRelay(test.db, bus), kube: noKube });
    const u = hooks.url;
    const notify: Action = { name: 'notify-start', type: 'HTTP', http: { url: `${u}/notify-start`, method: 'POST', headers: { Authorization: SECRET } } };
    hooks.delay.set('/sync-a', 700).set('/sync-b', 700);
    await dr.apply(planYaml('web-failover', [
      notify,
      httpAction('sync-a', u, { dependsOn: ['notify-start'], rollback: { name: 'undo-sync-a', type: 'HTTP', http: { url: `${u}/undo-sync-a`, method: 'POST' } } }),
      httpAction('sync-b', u, { dependsOn: ['notify-start'] }),
      httpAction('notify-done', u, { dependsOn: ['sync-a', 'sync-b'] }),
    ]), 'web-failover.yaml');
    await dr.apply(planYaml('db-switchover', [httpAction('promote', u)]), 'db-switchover.yaml');

    const source = new MemorySource([]);
    (source as MemorySource & { dr?: DrSource }).dr = dr;
    bus.subscribe((event) => source.emit(event));
    ui = await renderCockpit(source, 30, 130);
    await ui.press('4');
    await ui.waitFor((s) => s.includes('web-failover') && s.includes('db-switchover'), 'the stored plans');
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    ui?.unmount();
    await hooks?.close();
    await test?.close();
  });

  it('executes a plan after its name is typed and follows every action live to Succeeded', async () => {
    const u = ui!;
    expect(u.screen()).toContain('no executions yet');
    expect(lineWith(u.screen(), 'web-failover ')).toContain('never executed');
    // Plans are listed by name: db-switchover first.
    await u.press('j', 'x', ...'web-failove', KEY.enter);
    await u.waitFor((s) => s.includes('that is not "web-failover": nothing was executed'), 'the mismatch');
    expect(hooks.order).toEqual([]);
    await u.press('r', KEY.enter);
    // Within the 5 s fallback: the service's dr events bring each change.
    let screen = await u.waitFor((s) => /sync-a\s+HTTP\s+… Running/.test(s), 'the DAG\'s parallel actions running', 4_000);
    expect(lineWith(screen, 'notify-start')).toMatch(/✓ Succeeded\s+1/);
    expect(lineWith(screen, 'sync-b')).toMatch(/… Running|✓ Succeeded/);
    expect(lineWith(screen, 'notify-done')).toMatch(/· Pending\s+0\s+-\s+after sync-a, sync-b/);
    screen = await u.waitFor((s) => /notify-done\s+HTTP\s+✓ Succeeded/.test(s) && /web-failover-\S+\s+web-failover\s+Execute\s+✓ Succeeded/.test(s),
      'every action Succeeded', 10_000);
    for (const name of ['notify-start', 'sync-a', 'sync-b', 'notify-done']) expect(lineWith(screen, `${name} `)).toMatch(/✓ Succeeded\s+1\s+\d+\.\ds/);
    expect(screen).toMatch(/ACTIONS of web-failover-\S+ · Execute · Succeeded · 4\/4 done/);
    expect(u.store.getState().notice).toMatch(/web-failover-\S+ Succeeded/);
    expect(hooks.order[0]).toBe('/notify-start');
    expect(hooks.order.at(-1)).toBe('/notify-done');

    // The action's details: outputs as recorded, the rendered action with the secret header redacted.
    await u.press('l', 'l', KEY.enter);
    screen = await u.waitFor((s) => s.includes('Action notify-start') && s.includes('rendered action ('), 'the action\'s details');
    expect(screen).toContain('statusCode: 200');
    expect(screen).toContain(`url: ${hooks.url}/notify-start`);
    expect(screen).toMatch(/Authorization: "?\*{6}"?/);
    expect(screen).not.toContain('s3cr3t');
    await u.press(KEY.escape, 'h', 'h');
    await u.waitFor((s) => /^▸ PLAN/m.test(s), 'the plans again');
  });

  it('shows the database\'s one-execution-per-plan refusal, and cancels a pending execution from the panel', async () => {
    const u = ui!;
    const pending = await dr.startExecute('db-switchover');
    await u.waitFor((s) => lineWith(s, `${pending.id} `).includes('· Pending'), 'the pending execution (from a dr event)');
    await u.press('k', 'x', ...'db-switchover', KEY.enter);
    await u.waitFor((s) => s.includes('error: DR plan "db-switchover" already has an active execution'), 'the conflict');
    expect(u.store.getState().error?.hint).toContain(`fleetdeck dr cancel ${pending.id}`);
    expect(hooks.order).not.toContain('/promote');

    await u.press(KEY.escape, 'l', 'g', 'c');
    await u.waitFor((s) => s.includes(`Cancel execution ${pending.id}?`) && s.includes('[ Cancel ]'), 'the cancel confirm');
    await u.press(KEY.right, KEY.enter);
    const screen = await u.waitFor((s) => /⊘ Cancel+ed/.test(lineWith(s, `${pending.id} `)), 'the execution cancelled');
    expect(lineWith(screen, 'promote')).toMatch(/- Skipped/);
    expect((await dr.status(pending.id)).phase).toMatch(/^Cancel+ed$/);
  });

  it('reverts a finished execution after the plan\'s name is typed', async () => {
    const u = ui!;
    const executed = (await dr.listExecutions()).find((e) => e.planName === 'web-failover')!;
    await u.press('j');
    await u.waitFor((s) => lineWith(s, `${executed.id} `).startsWith('>'), 'the executed one selected');
    await u.press('R', ...'web-failover', KEY.enter);
    const screen = await u.waitFor((s) => /Revert of web-failover-\S+ · Succeeded/.test(s), 'the revert to its end', 10_000);
    expect(screen).toMatch(/ACTIONS of web-failover-revert-\S+ · Revert/);
    // sync-a's explicit rollback ran; the HTTP actions without one have nothing to undo.
    expect(lineWith(screen, 'sync-a ')).toMatch(/✓ Succeeded\s+1/);
    expect(hooks.order).toContain('/undo-sync-a');
    await u.press('G');
    await u.waitFor((s) => /sync-a\s+HTTP\s+↺ RolledBack/.test(s), 'the Execute\'s undone action marked RolledBack');
  });
});
