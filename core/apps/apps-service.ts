/**
 * The apps subsystem as the CLI and the cockpit use it: the tree with live member state, rendering, and the
 * audited day-2 actions (reload, failover, backup, restore, roll).
 */
import { existsSync } from 'node:fs';
import type { MutationContext } from '../audit/audited.js';
import { audited } from '../audit/audited.js';
import { FleetError, ValidationError } from '../errors.js';
import type { OperationRunner } from '../operations/operation-runner.js';
import type { OperationRecord } from '../operations/types.js';
import { APPS_APPLY, APPS_DELETE, appsOperationTarget, applyPlan, deletePlan } from './apps-kinds.js';
import type { AppsApplyParams } from './apps-kinds.js';
import type { EventRelay } from '../db/notifications.js';
import type { KubeGateway } from '../kube/types.js';
import {
  createBackup, inspectArchiveFile, isBackupAlgorithm, listBackups, locateArchive, openBackupStore, openBackupTarget,
  parseBackupName, restoreBackup,
} from './backup/index.js';
import { restoreInPlace } from './restore-in-place.js';
import type { BackupEntry, BackupKey, BackupManifest, BackupStore } from './backup/index.js';
import { defaultAgentClients, groupAgents, probeMembers } from './agents.js';
import type { AgentClientFactory, MemberView } from './agents.js';
import { findNamed, pluginFor, readClusterApps, readYamlApps } from './catalog.js';
import type { AppsSnapshot } from './catalog.js';
import { DEFAULT_APPS_NAMESPACE } from './model.js';
import type { Group } from './model.js';
import { failoverGroup, reloadGroup } from './operations.js';
import type { FailoverReport, ReloadOptions, ReloadReport } from './operations.js';
import { renderGroup } from './render.js';
import type { RenderedGroup } from './render.js';
import { rollGroup } from './rollout.js';
import type { RolloutReport } from './rollout.js';

export type GroupHealth = 'healthy' | 'degraded' | 'down' | 'unknown';

export interface GroupView {
  name: string;
  namespace: string;
  app: string;
  component: string;
  type: string;
  version: string;
  instances: number;
  phase: string;
  renderNeeded: boolean;
  master: string | null;
  health: GroupHealth;
  members: MemberView[];
}

export interface ComponentView { name: string; type: string; version: string; groups: GroupView[] }
export interface AppView { name: string; namespace: string; description: string; components: ComponentView[] }

export interface BackupReport { group: string; target: string; source: string; backup: BackupEntry; pruned: string[] }
export interface RestoreReport {
  archive: string;
  group: string;
  targetDir: string;
  /** The instance whose live data was replaced; null when restored --into a directory. */
  instance: string | null;
  /** Where the replaced data was moved. */
  previous: string | null;
  /** The instance was stopped and started again around the replacement. */
  restarted: boolean;
  manifest: BackupManifest;
}

export interface AppsServiceOptions {
  /** The cluster holding the apps (the management cluster by default). */
  kube(): Promise<KubeGateway>;
  /** Its name in the fleet, for journaled operations (apply, delete) that any process may resume. */
  cluster?: string;
  /** Runs apply and delete as journaled operations; without it they are refused. */
  operations?: OperationRunner;
  mutation: MutationContext;
  publish?(event: Parameters<EventRelay['publish']>[0]): Promise<void>;
  backupKey(): BackupKey;
  /** Opens `DIR` or `s3://BUCKET/PREFIX`; default: openBackupTarget with the process environment. */
  openStore?(target: string): BackupStore;
  agentClients?: AgentClientFactory;
  /** Deadline of a status probe per agent; default 2 s, so one dead pod does not stall a listing. */
  probeTimeoutMs?: number;
}

function healthOf(members: readonly MemberView[]): GroupHealth {
  if (members.length === 0) return 'unknown';
  const healthy = members.filter((m) => m.health === 'healthy').length;
  if (healthy === members.length) return 'healthy';
  return healthy === 0 ? 'down' : 'degraded';
}

export class AppsService {
  private readonly clients: AgentClientFactory;
  private readonly probeClients: AgentClientFactory;

  constructor(private readonly options: AppsServiceOptions) {
    this.clients = options.agentClients ?? defaultAgentClients();
    this.probeClients = options.agentClients ?? defaultAgentClients(options.probeTimeoutMs ?? 2_000);
  }

  async snapshot(): Promise<AppsSnapshot> {
    return readClusterApps(await this.options.kube());
  }

  async group(ref: string): Promise<Group> {
    return findNamed((await this.snapshot()).groups, ref, 'group');
  }

  private async viewOf(kube: KubeGateway, group: Group, probe: boolean): Promise<GroupView> {
    let members: MemberView[] = [];
    if (probe) {
      const agents = await groupAgents(kube, group).catch(() => null);
      members = agents ? await probeMembers(agents, group.status.members ?? [], this.probeClients) : [];
    }
    const master = members.find((m) => m.role === 'master' && m.health !== 'unreachable')?.instance
      ?? group.status.members?.find((m) => m.role === 'master')?.instance ?? null;
    return {
      name: group.name, namespace: group.namespace, app: group.spec.app, component: group.spec.component, type: group.spec.type,
      version: group.spec.version, instances: group.spec.instances, phase: group.status.phase ?? 'Pending',
      renderNeeded: group.status.renderNeeded === true, master, health: probe ? healthOf(members) : 'unknown', members,
    };
  }

  /** App → Component → Group, with each group's members as their agents report them (when `probe`). */
  async tree(options: { probe?: boolean } = {}): Promise<AppView[]> {
    const kube = await this.options.kube();
    const snapshot = await readClusterApps(kube);
    const views = await Promise.all(snapshot.groups.map((g) => this.viewOf(kube, g, options.probe ?? true)));
    const apps = new Map<string, AppView>();
    for (const app of snapshot.apps) apps.set(`${app.namespace}/${app.name}`, { name: app.name, namespace: app.namespace, description: app.spec.description ?? '', components: [] });
    for (const view of views) {
      const key = `${view.namespace}/${view.app}`;
      let app = apps.get(key);
      if (!app) {
        app = { name: view.app, namespace: view.namespace, description: '', components: [] };
        apps.set(key, app);
      }
      let component = app.components.find((c) => c.name === view.component);
      if (!component) {
        component = { name: view.component, type: view.type, version: view.version, groups: [] };
        app.components.push(component);
      }
      component.groups.push(view);
    }
    return [...apps.values()];
  }

  /** One app by name, or the app of a group by the group's name. */
  async show(name: string): Promise<AppView> {
    const tree = await this.tree();
    const [namespace, bare] = name.includes('/') ? name.split('/', 2) : [undefined, name];
    const matches = tree.filter((a) => a.name === bare && (namespace === undefined || a.namespace === namespace));
    if (matches.length === 1) return matches[0]!;
    const byGroup = tree.filter((a) => a.components.some((c) => c.groups.some((g) => g.name === bare && (namespace === undefined || g.namespace === namespace))));
    if (matches.length === 0 && byGroup.length === 1) return byGroup[0]!;
    return findNamed(matches, name, 'app');
  }

  /** Renders from the cluster, or from YAML (Apps, Components, Groups and plugin ConfigMaps) when `yaml` is given. */
  async render(ref: string, yaml?: { text: string; source: string }): Promise<RenderedGroup> {
    const snapshot = yaml ? readYamlApps(yaml.text, yaml.source) : await this.snapshot();
    const group = findNamed(snapshot.groups, ref, 'group');
    return renderGroup(group, pluginFor(snapshot, group));
  }

  private async changed(type: string, target: string): Promise<void> {
    await this.options.publish?.({ topic: 'apps', type, target }).catch(() => undefined);
  }

  async reload(ref: string, options: ReloadOptions = {}): Promise<ReloadReport> {
    return audited(this.options.mutation, 'apps.reload', ref, async () => {
      const kube = await this.options.kube();
      const snapshot = await readClusterApps(kube);
      const group = findNamed(snapshot.groups, ref, 'group');
      const report = await reloadGroup(kube, group, pluginFor(snapshot, group), this.clients, options);
      await this.changed('group.reloaded', group.name);
      return report;
    }, (r) => ({ configMapUpdated: r.configMapUpdated, source: r.source, restarted: r.instances.filter((i) => i.restarted).map((i) => i.instance) }));
  }

  async failover(ref: string, request: { target?: string; force?: boolean } = {}): Promise<FailoverReport> {
    return audited(this.options.mutation, 'apps.failover', ref, async () => {
      const kube = await this.options.kube();
      const report = await failoverGroup(kube, findNamed((await readClusterApps(kube)).groups, ref, 'group'), this.clients, request);
      await this.changed('group.failover', report.group);
      return report;
    }, (r) => ({ oldMaster: r.oldMaster, newMaster: r.newMaster }));
  }

  async roll(ref: string): Promise<RolloutReport> {
    return audited(this.options.mutation, 'apps.roll', ref, async () => {
      const kube = await this.options.kube();
      const snapshot = await readClusterApps(kube);
      const group = findNamed(snapshot.groups, ref, 'group');
      const report = await rollGroup(kube, group, pluginFor(snapshot, group));
      await this.changed('group.rolled', group.name);
      return report;
    }, (r) => ({ batches: r.batches, held: r.held, surged: r.surged }));
  }

  private runner(): OperationRunner {
    if (!this.options.operations) {
      throw new FleetError('INTERNAL', 'apps apply and delete need the engine\'s operation journal', 'This is a bug in fleetdeck; please report it.');
    }
    return this.options.operations;
  }

  /**
   * `apps apply -f FILE`: every App in the YAML (with plugin ConfigMaps in it applied first, and the cluster's other
   * plugins used for rendering) as an `apps.apply` operation per App. Everything is rendered and checked before the
   * first write; a failed step leaves an operation to `ops resume` or `ops undo`.
   */
  async apply(text: string, source: string): Promise<OperationRecord[]> {
    const snapshot = readYamlApps(text, source);
    const stray = [...snapshot.components, ...snapshot.groups].filter((o) => !snapshot.apps.some((a) => a.name === (o.spec.app) && a.namespace === o.namespace));
    if (snapshot.apps.length === 0 || stray[0]) {
      const what = stray[0] ? `${'groups' in stray[0].spec ? 'Component' : 'Group'} ${stray[0].namespace}/${stray[0].name} without its App` : 'no App';
      throw new ValidationError(`${source} has ${what}`,
        'apps apply takes App resources (their Components and Groups follow from them), with any plugin ConfigMaps they need.', 'file');
    }
    const kube = await this.options.kube();
    const live = await readClusterApps(kube);
    const plugins = new Map([...live.plugins].map(([type, plugin]) => [type, plugin.configMap]));
    for (const [type, plugin] of snapshot.plugins) plugins.set(type, plugin.configMap);
    const applyPlugins = [...snapshot.plugins.values()].map((p) => `${p.namespace}/${p.name}`);
    const cluster = this.options.cluster ?? kube.context;
    const params: AppsApplyParams[] = snapshot.apps.map((app) => ({ cluster, app, plugins: [...plugins.values()], applyPlugins }));
    // Render every plan now: a missing plugin or a broken template is refused before anything is journaled.
    for (const p of params) applyPlan(p);
    const done: OperationRecord[] = [];
    for (const p of params) {
      done.push(await this.runner().start(APPS_APPLY, appsOperationTarget(cluster, p.app.namespace, p.app.name), { ...p }));
    }
    return done;
  }

  /** `apps delete APP`: an `apps.delete` operation in the seed's reverse order, pods first. */
  async delete(ref: string, options: { podTimeoutMs?: number } = {}): Promise<OperationRecord> {
    const kube = await this.options.kube();
    const [namespace, name] = ref.includes('/') ? ref.split('/', 2) as [string, string] : [undefined, ref];
    const apps = (await readClusterApps(kube)).apps.filter((a) => a.name === name && (namespace === undefined || a.namespace === namespace));
    if (apps.length > 1) findNamed(apps, ref, 'app');
    const cluster = this.options.cluster ?? kube.context;
    const plan = await deletePlan(kube, cluster, apps[0]?.namespace ?? namespace ?? DEFAULT_APPS_NAMESPACE, name);
    if (options.podTimeoutMs !== undefined) plan.podTimeoutMs = options.podTimeoutMs;
    return this.runner().start(APPS_DELETE, appsOperationTarget(cluster, plan.namespace, plan.app), { ...plan });
  }

  private store(target: string): BackupStore {
    return this.options.openStore ? this.options.openStore(target) : openBackupTarget(target);
  }

  private targetOf(group: Group, to: string | undefined): string {
    const target = to ?? group.spec.backup?.target;
    if (!target) {
      throw new ValidationError(`group ${group.name} has no backup target`, 'Pass --to DIR or --to s3://BUCKET/PREFIX, or set spec.backup.target on the group.', 'to');
    }
    return target;
  }

  /** Where a group's data is: the master's recorded data directory (the sandbox; a mounted volume). */
  private dataDirOf(group: Group, from: string | undefined): { dir: string; instance: string } {
    if (from) return { dir: from, instance: 'given' };
    const members = group.status.members ?? [];
    const member = members.find((m) => m.role === 'master' && m.dataDir) ?? members.find((m) => m.dataDir);
    if (!member?.dataDir) {
      throw new FleetError('VALIDATION', `fleetdeck cannot reach the data of group ${group.name}: its status records no data directory`,
        'Copy the data out of the pod (or mount its volume) and pass --from DIR.', { group: group.name });
    }
    return { dir: member.dataDir, instance: member.instance };
  }

  async backup(ref: string, options: { to?: string; keep?: number; algorithm?: string; from?: string } = {}): Promise<BackupReport> {
    return audited(this.options.mutation, 'apps.backup', ref, async () => {
      const group = await this.group(ref);
      const target = this.targetOf(group, options.to);
      const source = this.dataDirOf(group, options.from);
      const algorithm = options.algorithm ?? group.spec.backup?.algorithm ?? 'aes256-gcm';
      if (!isBackupAlgorithm(algorithm)) throw new ValidationError(`"${algorithm}" is not a backup algorithm`, 'Use aes256-gcm or aes256-cbc.', 'algorithm');
      const keep = options.keep ?? group.spec.backup?.keep;
      const created = await createBackup({
        group: group.name, sourceDir: source.dir, store: this.store(target), key: this.options.backupKey(), algorithm,
        ...(keep === undefined ? {} : { keep }),
      });
      await this.changed('group.backup', group.name);
      return { group: group.name, target, source: source.instance, backup: created.backup, pruned: created.pruned };
    }, (r) => ({ backup: r.backup.name, target: r.target, pruned: r.pruned.length }));
  }

  async backups(ref: string, options: { to?: string } = {}): Promise<{ target: string; backups: BackupEntry[] }> {
    const group = await this.group(ref);
    const target = this.targetOf(group, options.to);
    return { target, backups: await listBackups(this.store(target), group.name) };
  }

  /**
   * Where a `restore` argument points: s3://BUCKET/PREFIX/GROUP/NAME.fdbk, an archive file, or a name as `apps
   * backups` lists it (GROUP/STAMP-ALGORITHM-ID.fdbk), looked up in `from` or else the group's backup target.
   */
  private async locate(archive: string, from: string | undefined): Promise<{ store: BackupStore; name: string; group: string }> {
    if (archive.startsWith('s3://')) {
      const located = locateArchive(archive, (bucket, prefix) => this.options.openStore
        ? this.options.openStore(`s3://${bucket}${prefix ? `/${prefix}` : ''}`) : openBackupStore({ kind: 's3', bucket, prefix }));
      const group = parseBackupName(located.name)?.group;
      if (!group) throw new ValidationError(`"${archive}" does not name a backup archive`, 'Pass s3://BUCKET/PREFIX/GROUP/NAME.fdbk as listed by `fleetdeck apps backups`.');
      return { ...located, group };
    }
    const parsed = parseBackupName(archive);
    if (parsed && !existsSync(archive)) {
      const target = from ?? this.targetOf(await this.group(parsed.group), undefined);
      return { store: this.store(target), name: archive, group: parsed.group };
    }
    if (!existsSync(archive)) {
      throw new FleetError('NOT_FOUND', `no backup archive "${archive}": it is neither a file nor a backup name`,
        'Pass a name as `fleetdeck apps backups GROUP` lists it (GROUP/…fdbk), the path of an archive file, or s3://BUCKET/PREFIX/GROUP/NAME.fdbk.',
        { archive });
    }
    const located = locateArchive(archive, () => { throw new Error('not s3'); });
    return { ...located, group: (await inspectArchiveFile(archive)).group };
  }

  /**
   * Verifies and restores an archive. With `into`, into that directory. Without it, over the live data of the
   * group's master (see restore-in-place.ts: verify, stop the instance, replace its data directory, start it),
   * which needs `confirm`: true (--yes) or the group's name typed out.
   */
  async restore(archive: string, options: { into?: string; from?: string; confirm?: true | string } = {}): Promise<RestoreReport> {
    return audited(this.options.mutation, 'apps.restore', archive, async () => {
      const located = await this.locate(archive, options.from);
      if (options.into !== undefined) {
        const manifest = await restoreBackup({ store: located.store, name: located.name, key: this.options.backupKey(), targetDir: options.into });
        await this.changed('group.restored', located.group);
        return { archive, group: located.group, targetDir: options.into, instance: null, previous: null, restarted: false, manifest };
      }
      const group = await this.group(located.group);
      const data = this.dataDirOf(group, undefined);
      if (options.confirm !== true && options.confirm !== group.name && options.confirm !== `${group.namespace}/${group.name}`) {
        throw new ValidationError(`restoring ${archive} replaces the live data of group ${group.name}'s master ${data.instance} (${data.dir}): `
          + 'the instance is stopped, its data directory is replaced by the archive\'s contents (the old one is kept beside it), and it is started again',
        `Run again with --yes (or --confirm ${group.name}), or restore into another directory with --into DIR.`, 'confirm');
      }
      const result = await restoreInPlace({
        kube: await this.options.kube(), namespace: group.namespace, instance: data.instance, dataDir: data.dir,
        store: located.store, name: located.name, key: this.options.backupKey(),
      });
      await this.changed('group.restored', group.name);
      return { archive, group: group.name, targetDir: data.dir, instance: data.instance, previous: result.previous, restarted: result.restarted, manifest: result.manifest };
    }, (r) => ({ group: r.group, sha256: r.manifest.sha256, inPlace: r.instance !== null }));
  }
}
