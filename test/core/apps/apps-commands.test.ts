/** `fleetdeck apps …` against the sandbox app: happy paths with --json, the audit log, and --readonly refusals. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../../core/audit/audit-log.js';
import { resolveConfig } from '../../../core/config.js';
import { createEngine } from '../../../core/engine.js';
import type { Engine } from '../../../core/engine.js';
import type { Fleet } from '../../../core/fleet.js';
import { parseArgs } from '../../../src/cli/args.js';
import { appsCommands } from '../../../src/cli/commands/apps.js';
import type { CommandContext } from '../../../src/cli/context.js';
import { openTestDatabase } from '../../support/databases.js';
import type { TestDatabase } from '../../support/databases.js';
import { TEST_ACTOR } from '../../support/engine.js';
import { openAppsWorld } from './support.js';
import type { AppsWorld } from './support.js';

const KEY = 'a'.repeat(64);
let world: AppsWorld;
let test: TestDatabase;
let scratch: string;
const engines = new Map<boolean, Engine>();

async function engineFor(readonly: boolean): Promise<Engine> {
  const cached = engines.get(readonly);
  if (cached) return cached;
  const fleet = { sandbox: false, kube: async () => world.kube, close: async () => undefined } as unknown as Fleet;
  const engine = await createEngine(resolveConfig({ dataDir: scratch, readonly }, { HOME: scratch }), { db: test.db, actor: TEST_ACTOR, fleet: async () => fleet });
  engines.set(readonly, engine);
  return engine;
}

async function run(argv: string[], options: { readonly?: boolean } = {}): Promise<{ code: number; out: string }> {
  const engine = await engineFor(options.readonly ?? false);
  const args = parseArgs(argv);
  const command = appsCommands.find((c) => c.path.every((word, i) => args.positionals[i] === word))!;
  let out = '';
  const ctx: CommandContext = {
    args, operands: args.positionals.slice(command.path.length), json: args.flags.get('json') === true,
    config: engine.config, engine: async () => engine, out: (t) => { out += `${t}\n`; }, err: (t) => { out += `${t}\n`; },
    readStdin: async () => '',
  };
  return { code: await command.run(ctx), out };
}

beforeAll(async () => {
  test = await openTestDatabase('pglite');
  scratch = mkdtempSync(join(tmpdir(), 'fleetdeck-apps-cli-'));
  process.env['FLEETDECK_BACKUP_KEY'] = KEY;
});
afterAll(async () => {
  delete process.env['FLEETDECK_BACKUP_KEY'];
  for (const engine of engines.values()) await engine.close();
  await test.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  world = await openAppsWorld();
});
afterEach(async () => {
  await world.close();
});

describe('fleetdeck apps', () => {
  it('lists and shows the tree with roles and health, and renders a group as YAML', async () => {
    const ls = await run(['apps', 'ls', '--json']);
    expect(ls.code).toBe(0);
    const apps = JSON.parse(ls.out) as { name: string; components: { name: string; groups: { name: string; master: string; health: string; members: { role: string }[] }[] }[] }[];
    expect(apps[0]?.name).toBe('cache');
    expect(apps[0]?.components[0]?.groups[0]).toMatchObject({ name: 'cache-redis', master: 'cache-redis-0', health: 'healthy' });
    expect(apps[0]?.components[0]?.groups[0]?.members.map((m) => m.role)).toEqual(['master', 'replica']);

    const table = await run(['apps', 'ls']);
    expect(table.out).toMatch(/cache\s+redis\s+cache-redis\s+redis\s+7\.2\.4\s+2\/2\s+cache-redis-0\s+healthy/);
    const show = await run(['apps', 'show', 'cache']);
    expect(show.out).toContain('cache-redis-1  replica  healthy');

    const rendered = await run(['apps', 'render', 'cache-redis']);
    expect(rendered.out.match(/^kind: \w+$/gm)).toEqual(['kind: ConfigMap', 'kind: PersistentVolumeClaim', 'kind: PersistentVolumeClaim',
      'kind: Service', 'kind: Deployment', 'kind: Deployment']);
  });

  it('renders from a YAML file without a cluster', async () => {
    const file = join(scratch, 'apps.yaml');
    const { REDIS_PLUGIN_DATA, redisPluginConfigMap } = await import('../../../src/sandbox/apps/redis-plugin.js');
    const { stringify } = await import('yaml');
    writeFileSync(file, `${readFileSync(join(process.cwd(), 'test/core/apps/fixtures/cache-app.yaml'), 'utf8')}---\n${stringify(redisPluginConfigMap('middleware', REDIS_PLUGIN_DATA))}`);
    const result = await run(['apps', 'render', 'cache-redis', '-f', file, '--json']);
    expect((JSON.parse(result.out) as { kind: string }[]).map((o) => o.kind)).toContain('PersistentVolumeClaim');
  });

  it('reloads, fails over, backs up, lists and restores, each in the audit log', async () => {
    const reload = JSON.parse((await run(['apps', 'reload', 'cache-redis', '--json'])).out) as { instances: { instance: string; requiresRestart: boolean }[] };
    expect(reload.instances.map((i) => i.instance)).toEqual(['cache-redis-0', 'cache-redis-1']);

    const failover = JSON.parse((await run(['apps', 'failover', 'cache-redis', '--json'])).out) as { newMaster: string };
    expect(failover.newMaster).toBe('cache-redis-1');

    const dir = join(scratch, 'backups');
    const backup = JSON.parse((await run(['apps', 'backup', 'cache-redis', '--to', dir, '--json'])).out) as { backup: { name: string }; source: string };
    expect(backup.backup.name).toMatch(/^cache-redis\/.*\.fdbk$/);
    // The new master holds the data that is backed up.
    expect(backup.source).toBe('cache-redis-1');
    const listed = JSON.parse((await run(['apps', 'backups', 'cache-redis', '--to', dir, '--json'])).out) as { backups: { name: string }[] };
    expect(listed.backups.map((b) => b.name)).toEqual([backup.backup.name]);

    const into = join(scratch, 'restored');
    const restored = await run(['apps', 'restore', join(dir, backup.backup.name), '--into', into, '--json']);
    expect(restored.code).toBe(0);
    expect(readFileSync(join(into, 'dump.rdb'), 'utf8')).toContain('sandbox data of cache-redis-1');

    const audit = await listAudit(test.db, 20);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['apps.reload', 'apps.failover', 'apps.backup', 'apps.restore']));
    expect(JSON.stringify(audit)).not.toContain(KEY);
  });

  it('restores a backup by the name `apps backups` prints: into a directory, or over the master with --yes (stop, replace, start)', async () => {
    const backup = JSON.parse((await run(['apps', 'backup', 'cache-redis', '--json'])).out) as { backup: { name: string } };
    const table = (await run(['apps', 'backups', 'cache-redis'])).out;
    const name = /^(cache-redis\/\S+\.fdbk)/m.exec(table)?.[1];
    expect(name).toBe(backup.backup.name);

    const into = join(scratch, 'by-name');
    expect((await run(['apps', 'restore', name!, '--into', into])).code).toBe(0);
    expect(readFileSync(join(into, 'dump.rdb'), 'utf8')).toContain('sandbox data of cache-redis-0');

    const master = (await world.group()).status.members?.find((m) => m.instance === 'cache-redis-0')?.dataDir ?? '';
    writeFileSync(join(master, 'dump.rdb'), 'written after the backup\n');
    // Without --into it replaces live data: refused unless confirmed, and nothing changes.
    const refused = await run(['apps', 'restore', name!]).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'VALIDATION' });
    expect((refused as Error).message).toContain('replaces the live data of group cache-redis\'s master cache-redis-0');
    expect((refused as { hint: string }).hint).toContain('--yes');
    expect(readFileSync(join(master, 'dump.rdb'), 'utf8')).toBe('written after the backup\n');

    const podUid = async () => (await world.kube.list('v1', 'Pod', { namespace: 'middleware', labelSelector: 'middleware.io/instance=cache-redis-0' })).items[0]?.metadata.uid;
    const before = await podUid();
    const restored = JSON.parse((await run(['apps', 'restore', name!, '--yes', '--json'])).out) as { instance: string; previous: string; restarted: boolean };
    expect(restored).toMatchObject({ instance: 'cache-redis-0', restarted: true });
    expect(readFileSync(join(master, 'dump.rdb'), 'utf8')).toContain('sandbox data of cache-redis-0');
    expect(readFileSync(join(restored.previous, 'dump.rdb'), 'utf8')).toBe('written after the backup\n');
    const after = await podUid();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('names a missing archive with a hint instead of crashing', async () => {
    const missing = await run(['apps', 'restore', 'cache-redis/20990101T000000000Z-aes256-gcm-abcdef.fdbk', '--into', join(scratch, 'x')]).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
    expect((missing as { hint: string }).hint).toContain('fleetdeck apps backups');
    const noFile = await run(['apps', 'restore', join(scratch, 'nope.fdbk'), '--into', join(scratch, 'x')]).catch((e: unknown) => e);
    expect(noFile).toMatchObject({ code: 'NOT_FOUND' });
    expect((noFile as Error).message).toContain('neither a file nor a backup name');
  });

  it('refuses mutating commands with --readonly and changes nothing', async () => {
    await expect(run(['apps', 'failover', 'cache-redis'], { readonly: true })).rejects.toMatchObject({ code: 'READONLY' });
    await expect(run(['apps', 'reload', 'cache-redis'], { readonly: true })).rejects.toMatchObject({ code: 'READONLY' });
    expect((await world.group()).status.members?.find((m) => m.role === 'master')?.instance).toBe('cache-redis-0');
    expect((await run(['apps', 'ls', '--json'], { readonly: true })).code).toBe(0);
  });
});
