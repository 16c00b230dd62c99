/**
 * The Apps panel in the real cockpit, keys going through views/actions/dispatch-key.ts and the views/keys.ts table:
 * the tree with roles, health and version; F failover behind a Cancel-default confirm; L and B; enter details, where
 * F, L and B work too and show their result; read-only refuses them everywhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppView, BackupReport, FailoverReport, ReloadReport } from '../../core/apps/index.js';
import type { AppsSource } from '../../views/panels/apps-source.js';
import { MemorySource } from './fixtures.js';
import { KEY, renderCockpit } from './render-cockpit.js';
import type { RenderedCockpit } from './render-cockpit.js';

function member(instance: string, role: 'master' | 'replica', restartPending = false) {
  return { instance, role, health: 'healthy' as const, version: '7.2.4', configHash: 'abc', restartPending };
}

/** An in-memory apps engine: failover swaps the master; reload of a start-up key restarts both instances. */
class FakeApps implements AppsSource {
  master = 'cache-redis-0';
  pending = false;
  calls: string[] = [];
  async tree(): Promise<AppView[]> {
    const members = ['cache-redis-0', 'cache-redis-1'].map((i) => member(i, i === this.master ? 'master' : 'replica', this.pending));
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
    this.master = old === 'cache-redis-0' ? 'cache-redis-1' : 'cache-redis-0';
    return { group: 'cache-redis', namespace: 'middleware', oldMaster: old, newMaster: this.master, message: '' };
  }
  async reload(group: string): Promise<ReloadReport> {
    this.calls.push(`reload ${group}`);
    const instance = (name: string) => ({ instance: name, changedKeys: ['port'], restartKeys: ['port'], requiresRestart: true, restarted: true, message: 'port needs a restart' });
    return { group: 'cache-redis', namespace: 'middleware', configMapUpdated: false, source: 'live', configHash: 'def',
      instances: [instance('cache-redis-0'), instance('cache-redis-1')] };
  }
  async backup(group: string): Promise<BackupReport> {
    this.calls.push(`backup ${group}`);
    return { group: 'cache-redis', target: '/backups', source: 'cache-redis-0',
      backup: { name: 'cache-redis/x.fdbk', group: 'cache-redis', size: 1, createdAt: '', algorithm: 'aes256-gcm' }, pruned: [] };
  }
}

let ui: RenderedCockpit | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

async function appsCockpit(options: { readonly?: boolean } = {}) {
  const source = new MemorySource([], { readonly: options.readonly ?? false });
  const apps = new FakeApps();
  (source as MemorySource & { apps?: AppsSource }).apps = apps;
  const rendered = await renderCockpit(source, 30, 130);
  ui = rendered;
  await rendered.press('5');
  await rendered.waitFor((s) => s.includes('cache-redis-1'), 'the apps tree');
  return { apps, ui: rendered, source };
}

const until = (u: RenderedCockpit, text: string) => u.waitFor((s) => s.includes(text), `"${text}"`);

describe('the Apps panel', () => {
  it('shows App → Component → Group with each member\'s role, health and version', async () => {
    const { ui: u } = await appsCockpit();
    const lines = u.lines();
    const at = (pattern: RegExp) => lines.find((line) => pattern.test(line));
    expect(at(/^\S*\s*cache\s+\(Session cache\)/)).toBeDefined();
    expect(at(/ {2}redis · redis\s+7\.2\.4/)).toBeDefined();
    expect(at(/ {4}cache-redis\s+master cache-redis-0\s+healthy\s+7\.2\.4/)).toBeDefined();
    expect(at(/ {6}cache-redis-0\s+master\s+healthy\s+7\.2\.4/)).toBeDefined();
    expect(at(/ {6}cache-redis-1\s+replica\s+healthy\s+7\.2\.4/)).toBeDefined();
  });

  it('F asks first: enter on the default Cancel changes nothing; choosing Fail over promotes the replica', async () => {
    const { apps, ui: u } = await appsCockpit();
    await u.press('j', 'j', 'F');
    await until(u, 'Fail over group middleware/cache-redis?');
    expect(u.screen()).toContain('[ Cancel ]');
    await u.press(KEY.enter);
    await until(u, 'master cache-redis-0');
    expect(apps.calls).toEqual([]);
    await u.press('F', KEY.right);
    await until(u, '[ Fail over ]');
    await u.press(KEY.enter);
    await until(u, 'master cache-redis-1');
    expect(apps.calls).toEqual(['failover middleware/cache-redis']);
    await until(u, 'cache-redis-1 is the master now (was cache-redis-0)');
  });

  it('in the details, F, L and B act on the group and show what they did', async () => {
    const { apps, ui: u } = await appsCockpit();
    await u.press('j', 'j', KEY.enter);
    await until(u, 'Group middleware/cache-redis');
    expect(u.screen()).toContain('esc closes · F failover · L reload · B backup');

    await u.press('L');
    await until(u, 'Last reload: cache-redis: reloaded (ConfigMap as edited in the cluster); restarted cache-redis-0, cache-redis-1 for port');
    await u.press('B');
    await until(u, 'Last backup: cache-redis: backed up cache-redis-0 to /backups as cache-redis/x.fdbk');

    await u.press('F');
    await until(u, 'Fail over group middleware/cache-redis?');
    await u.press(KEY.right, KEY.enter);
    // Back in the details, with the new master and the failover's result.
    await until(u, 'Last failover: cache-redis: cache-redis-1 is the master now (was cache-redis-0)');
    expect(u.screen()).toContain('Group middleware/cache-redis');
    expect(u.screen()).toMatch(/master cache-redis-1/);
    expect(apps.calls).toEqual(['reload middleware/cache-redis', 'backup middleware/cache-redis', 'failover middleware/cache-redis']);

    // Cancelling a failover from the details returns to them, changing nothing.
    await u.press('F');
    await until(u, '[ Cancel ]');
    await u.press(KEY.enter);
    await until(u, 'Group middleware/cache-redis');
    expect(apps.calls).toHaveLength(3);
    await u.press(KEY.escape);
    await until(u, 'NAME');
  });

  it('read-only refuses F, L and B, in the tree and in the details, and says so', async () => {
    const { apps, ui: u } = await appsCockpit({ readonly: true });
    await u.press('j', 'j', 'F');
    await until(u, 'changes the fleet, and fleetdeck is running read-only');
    await u.press(KEY.enter);
    await until(u, 'read-only: F, L and B are off');
    for (const key of ['F', 'L', 'B']) {
      await u.press(key);
      await until(u, `"${key}" changes the fleet, and fleetdeck is running read-only`);
      expect(u.screen()).toContain('Group middleware/cache-redis');
    }
    expect(u.screen()).not.toContain('Fail over group');
    expect(apps.calls).toEqual([]);
  });
});
