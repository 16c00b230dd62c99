/**
 * The apps subsystem as the CLI and the cockpit use it: the tree with live member state, rendering, and the
 * audited day-2 actions (reload, failover, backup, restore, roll).
 */
import type { MutationContext } from '../audit/audited.js';
import { audited } from '../audit/audited.js';
import { FleetError, ValidationError } from '../errors.js';
import type { EngineEvent } from '../events.js';
import type { KubeGateway } from '../kube/types.js';
import {
  createBackup, inspectArchiveFile, isBackupAlgorithm, listBackups, locateArchive, openBackupStore, openBackupTarget,
  parseBackupName, restoreBackup,
} from './backup/index.js';
import type { BackupEntry, BackupKey, BackupManifest, BackupStore } from './backup/index.js';
import { defaultAgentClients, groupAgents, probeMembers } from './agents.js';
import type { AgentClientFactory, MemberView } from './agents.js';
import { findNamed, pluginFor, readClusterApps, readYamlApps } from './catalog.js';
import type { AppsSnapshot } from './catalog.js';
import type { Group } from './model.js';
import { failoverGroup, reloadGroup } from './operations.js';
import type { FailoverReport, ReloadReport } from './operations.js';
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
export interface RestoreReport { archive: string; group: string; targetDir: string; manifest: BackupManifest }

export interface AppsServiceOptions {
  /** The cluster holding the apps (the management cluster by default). */
  kube(): Promise<KubeGateway>;
  mutation: MutationContext;
  publish?(event: Omit<EngineEvent, 'origin' | 'at'>): Promise<void>;
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

  async reload(ref: string): Promise<ReloadReport> {
    return audited(this.options.mutation, 'apps.reload', ref, async () => {
      const kube = await this.options.kube();
      const snapshot = await readClusterApps(kube);
      const group = findNamed(snapshot.groups, ref, 'group');
      const report = await reloadGroup(kube, group, pluginFor(snapshot, group), this.clients);
      await this.changed('group.reloaded', group.name);
      return report;
    }, (r) => ({ configMapUpdated: r.configMapUpdated, restarted: r.instances.filter((i) => i.restarted).map((i) => i.instance) }));
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
    }, (r) => ({ batches: r.batches, held: r.held }));
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

  /** Restores an archive (a file, or s3://BUCKET/PREFIX/GROUP/NAME.fdbk) into `into`, else its group's data directory. */
  async restore(archive: string, options: { into?: string } = {}): Promise<RestoreReport> {
    return audited(this.options.mutation, 'apps.restore', archive, async () => {
      const located = locateArchive(archive, (bucket, prefix) => this.options.openStore
        ? this.options.openStore(`s3://${bucket}${prefix ? `/${prefix}` : ''}`) : openBackupStore({ kind: 's3', bucket, prefix }));
      const groupName = parseBackupName(located.name)?.group
        ?? (archive.startsWith('s3://') ? undefined : (await inspectArchiveFile(archive)).group);
      if (!groupName) throw new ValidationError(`"${archive}" does not name a backup archive`, 'Pass an archive listed by `fleetdeck apps backups GROUP`.');
      const targetDir = options.into ?? this.dataDirOf(await this.group(groupName), undefined).dir;
      const manifest = await restoreBackup({ store: located.store, name: located.name, key: this.options.backupKey(), targetDir });
      await this.changed('group.restored', groupName);
      return { archive, group: groupName, targetDir, manifest };
    }, (r) => ({ group: r.group, sha256: r.manifest.sha256 }));
  }
}
