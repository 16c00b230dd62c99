/** The Apps panel: the tree with roles, health and version; F failover behind a Cancel-default confirm; L, B, enter. */
import { useInput } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppView, BackupReport, FailoverReport, ReloadReport } from '../../core/apps/index.js';
import { CockpitContext } from '../../views/context.js';
import { appsAction, appsOverlayKey } from '../../views/panels/apps-actions.js';
import { AppsPanel } from '../../views/panels/apps-panel.js';
import type { AppsSource } from '../../views/panels/apps-source.js';
import { createCockpitStore } from '../../views/store/cockpit-store.js';
import type { CockpitStore } from '../../views/store/cockpit-store.js';
import { ThemeContext } from '../../views/theme.js';
import { MemorySource } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const KEY = { down: '\x1b[B', enter: '\r', escape: '\x1b', right: '\x1b[C' } as const;

function member(instance: string, role: 'master' | 'replica', health: 'healthy' | 'unreachable' = 'healthy') {
  return { instance, role, health, version: health === 'healthy' ? '7.2.4' : '', configHash: 'abc', restartPending: false };
}

class FakeApps implements AppsSource {
  master = 'cache-redis-0';
  calls: string[] = [];
  async tree(): Promise<AppView[]> {
    const members = ['cache-redis-0', 'cache-redis-1'].map((i) => member(i, i === this.master ? 'master' : 'replica'));
    return [{
      name: 'cache', namespace: 'middleware', description: 'Session cache', components: [{
        name: 'redis', type: 'redis', version: '7.2.4', groups: [{
          name: 'cache-redis', namespace: 'middleware', app: 'cache', component: 'redis', type: 'redis', version: '7.2.4', instances: 2,
          phase: 'Running', renderNeeded: false, master: this.master, health: 'healthy', members,
        }],
      }],
    }];
  }
  async failover(group: string): Promise<FailoverReport> {
    this.calls.push(`failover ${group}`);
    const old = this.master;
    this.master = 'cache-redis-1';
    return { group: 'cache-redis', namespace: 'middleware', oldMaster: old, newMaster: this.master, message: '' };
  }
  async reload(group: string): Promise<ReloadReport> {
    this.calls.push(`reload ${group}`);
    return { group: 'cache-redis', namespace: 'middleware', configMapUpdated: false, configHash: 'abc', instances: [] };
  }
  async backup(group: string): Promise<BackupReport> {
    this.calls.push(`backup ${group}`);
    return { group: 'cache-redis', target: '/backups', source: 'cache-redis-0',
      backup: { name: 'cache-redis/x.fdbk', group: 'cache-redis', size: 1, createdAt: '', algorithm: 'aes256-gcm' }, pruned: [] };
  }
}

/** What the lead's wiring does: the panel's overlay first, then the bindings (j, enter, F, L, B) as actions. */
function Keys({ store, source }: { store: CockpitStore; source: MemorySource }) {
  useInput((input, key) => {
    const ctx = { store, source };
    if (appsOverlayKey(input, key, ctx)) return;
    const action = key.downArrow || input === 'j' ? 'down' : key.return ? 'details'
      : ({ F: 'failover', L: 'reload', B: 'backup' } as Record<string, string>)[input];
    if (action) appsAction(action, ctx);
  });
  return null;
}

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

async function open() {
  const source = new MemorySource([]);
  const apps = new FakeApps();
  (source as MemorySource & { apps?: AppsSource }).apps = apps;
  const store = createCockpitStore(source.status);
  const app = render(
    <CockpitContext.Provider value={{ store, source }}>
      <ThemeContext.Provider value={{ color: false }}>
        <Keys store={store} source={source} />
        <AppsPanel height={12} width={110} />
      </ThemeContext.Provider>
    </CockpitContext.Provider>,
  );
  unmount = () => app.unmount();
  const screen = () => (app.lastFrame() ?? '').replace(ANSI, '');
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 5000;
    while (!screen().includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; screen:\n${screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await waitFor('cache-redis-1');
  return { apps, store, screen, waitFor, press };
}

describe('Apps panel', () => {
  it('shows App → Component → Group with each member\'s role, health and version', async () => {
    const { screen } = await open();
    const lines = screen().split('\n');
    expect(lines[1]).toMatch(/^cache\s+\(Session cache\)/);
    expect(lines[2]).toMatch(/^ {2}redis · redis\s+7\.2\.4/);
    expect(lines[3]).toMatch(/^ {4}cache-redis\s+master cache-redis-0\s+healthy\s+7\.2\.4/);
    expect(lines[4]).toMatch(/^ {6}cache-redis-0\s+master\s+healthy\s+7\.2\.4/);
    expect(lines[5]).toMatch(/^ {6}cache-redis-1\s+replica\s+healthy\s+7\.2\.4/);
  });

  it('F asks first: enter on the default Cancel changes nothing; choosing Fail over promotes the replica', async () => {
    const { apps, press, screen, waitFor } = await open();
    await press('j', 'j', 'j', 'F');
    await waitFor('Fail over group middleware/cache-redis?');
    expect(screen()).toContain('[ Cancel ]');
    await press(KEY.enter);
    await waitFor('cache-redis-0');
    expect(apps.calls).toEqual([]);
    await press('F', KEY.right);
    await waitFor('[ Fail over ]');
    await press(KEY.enter);
    await waitFor('master cache-redis-1');
    expect(apps.calls).toEqual(['failover middleware/cache-redis']);
  });

  it('L reloads, B backs up, enter shows the group\'s details', async () => {
    const { apps, press, waitFor, store } = await open();
    await press('j', 'j', 'j', 'L');
    await waitFor('cache-redis-0');
    await press('B');
    const deadline = Date.now() + 5000;
    while (apps.calls.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(apps.calls).toEqual(['reload middleware/cache-redis', 'backup middleware/cache-redis']);
    await waitFor('cache-redis');
    expect(store.getState().notice).toContain('backed up to /backups');
    await press(KEY.enter);
    await waitFor('Group middleware/cache-redis');
    await waitFor('Phase Running');
    await press(KEY.escape);
    await waitFor('NAME');
  });
});
