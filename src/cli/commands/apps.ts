import { readFileSync } from 'node:fs';
import { createAppsService, findNamed, manifestsToYaml, pluginFor, readYamlApps, renderGroup } from '../../../core/apps/index.js';
import type { AppView, AppsService, BackupReport, GroupView } from '../../../core/apps/index.js';
import type { BackupEntry } from '../../../core/apps/backup/index.js';
import type { OperationRecord } from '../../../core/operations/types.js';
import { ValidationError } from '../../../core/errors.js';
import { MANAGEMENT_CLUSTER } from '../../../core/fleet.js';
import { flagBool, flagInt, flagString } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { renderFields, renderTable } from '../table.js';

/** The apps of `--cluster` (default: the management cluster), with the backup key of this world. */
export async function appsServiceFor(ctx: CommandContext): Promise<AppsService> {
  const engine = await ctx.engine();
  const cluster = flagString(ctx.args, 'cluster') ?? MANAGEMENT_CLUSTER;
  if (!ctx.config.sandbox) return createAppsService(engine, { cluster });
  const layout = (await import('../../sandbox/world/world-file.js')).worldLayout(ctx.config.dataDir);
  const { sandboxBackupKey } = await import('../../sandbox/world/apps-seed.js');
  return createAppsService(engine, { cluster, backupKey: () => sandboxBackupKey(layout) });
}

function one(ctx: CommandContext, usage: string, what: string): string {
  const [name, ...rest] = ctx.operands;
  if (!name || rest.length > 0) throw new ValidationError(`give exactly one ${what}`, `Usage: ${usage}`);
  return name;
}

const healthText = (g: GroupView): string => (g.renderNeeded ? `${g.health}, re-render` : g.health);

function groupRows(apps: readonly AppView[]): string[][] {
  return apps.flatMap((app) => app.components.flatMap((c) => c.groups.map((g) => [
    app.name, c.name, g.name, g.type, g.version, `${g.members.filter((m) => m.health === 'healthy').length}/${g.instances}`,
    g.master ?? '-', healthText(g), g.phase,
  ])));
}

function renderApp(app: AppView): string {
  const lines = [renderFields([['App', `${app.namespace}/${app.name}`], ['Description', app.description || '-']])];
  for (const component of app.components) {
    lines.push('', `Component ${component.name} (${component.type} ${component.version})`);
    for (const group of component.groups) {
      lines.push(`  Group ${group.name}: ${healthText(group)}, ${group.phase}, master ${group.master ?? '-'}`);
      lines.push(renderTable(['INSTANCE', 'ROLE', 'HEALTH', 'VERSION', 'CONFIG', 'RESTART'], group.members.map((m) => [
        m.instance, m.role, m.health, m.version || '-', m.configHash || '-', m.restartPending ? 'pending' : '-',
      ])).split('\n').map((l) => `    ${l}`).join('\n'));
    }
  }
  return lines.join('\n');
}

const CLUSTER = ['cluster'];

const ls: Command = {
  path: ['apps', 'ls'], usage: 'fleetdeck apps ls [--cluster NAME] [--json]', summary: 'list apps, components and groups with their health', flags: CLUSTER,
  async run(ctx) {
    const apps = await (await appsServiceFor(ctx)).tree();
    if (ctx.json) printJson(ctx, apps);
    else if (apps.length === 0) ctx.out('No middleware apps. Apply one with `fleetdeck apps apply -f FILE`.');
    else ctx.out(renderTable(['APP', 'COMPONENT', 'GROUP', 'TYPE', 'VERSION', 'READY', 'MASTER', 'HEALTH', 'PHASE'], groupRows(apps)));
    return 0;
  },
};

const show: Command = {
  path: ['apps', 'show'], usage: 'fleetdeck apps show APP|GROUP [--json]', summary: 'an app with its components, groups and members', flags: CLUSTER,
  async run(ctx) {
    const app = await (await appsServiceFor(ctx)).show(one(ctx, this.usage, 'app name'));
    if (ctx.json) printJson(ctx, app);
    else ctx.out(renderApp(app));
    return 0;
  },
};

const render: Command = {
  path: ['apps', 'render'], usage: 'fleetdeck apps render GROUP [-f FILE] [--json]',
  summary: 'print the manifests a group renders to (from the cluster, or from YAML files with -f)', flags: [...CLUSTER, 'file'],
  async run(ctx) {
    const group = one(ctx, this.usage, 'group name');
    const file = flagString(ctx.args, 'file');
    const yaml = file === undefined ? undefined : { text: file === '-' ? await ctx.readStdin() : readText(file), source: file };
    const rendered = yaml ? renderFromYaml(group, yaml.text, yaml.source) : await (await appsServiceFor(ctx)).render(group);
    if (ctx.json) printJson(ctx, rendered.objects);
    else ctx.out(manifestsToYaml(rendered.objects).trimEnd());
    return 0;
  },
};

function renderFromYaml(ref: string, text: string, source: string) {
  const snapshot = readYamlApps(text, source);
  const group = findNamed(snapshot.groups, ref, 'group');
  return renderGroup(group, pluginFor(snapshot, group));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 'Check the path and its permissions.', 'file');
  }
}

function renderOperationSteps(op: OperationRecord): string {
  const done = op.steps.filter((step) => step.status === 'succeeded').map((step) => `  ${step.name}`);
  return [`${op.kind} ${op.target}: ${op.status} (operation ${op.id})`, ...done].join('\n');
}

const apply: Command = {
  path: ['apps', 'apply'], usage: 'fleetdeck apps apply -f FILE [--cluster NAME] [--json]',
  summary: 'apply Apps (and plugin ConfigMaps) from YAML in creation order, as a journaled operation per App (ops resume/undo)',
  flags: [...CLUSTER, 'file'],
  async run(ctx) {
    const file = flagString(ctx.args, 'file');
    if (!file) throw new ValidationError('-f FILE is required', `Usage: ${this.usage}`, 'file');
    const text = file === '-' ? await ctx.readStdin() : readText(file);
    const operations = await (await appsServiceFor(ctx)).apply(text, file);
    if (ctx.json) printJson(ctx, operations);
    else ctx.out(operations.map(renderOperationSteps).join('\n'));
    return 0;
  },
};

const remove: Command = {
  path: ['apps', 'delete'], usage: 'fleetdeck apps delete APP (--yes | --confirm APP) [--timeout SECONDS] [--json]',
  summary: 'delete an App in the seed\'s reverse order: pods, then Deployments/Services/PVCs/ConfigMaps, Groups, Components, the App',
  flags: [...CLUSTER, 'yes', 'confirm', 'timeout'],
  async run(ctx) {
    const name = one(ctx, this.usage, 'app name');
    const bare = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
    const confirm = flagString(ctx.args, 'confirm');
    if (!flagBool(ctx.args, 'yes') && confirm !== name && confirm !== bare) {
      throw new ValidationError(`deleting app ${name} deletes its pods, volumes (PVCs) and configuration; confirm it`,
        `Run again with --confirm ${bare} (the name typed out) or --yes.`, 'confirm');
    }
    const timeout = flagInt(ctx.args, 'timeout');
    const op = await (await appsServiceFor(ctx)).delete(name, timeout === undefined ? {} : { podTimeoutMs: timeout * 1000 });
    if (ctx.json) printJson(ctx, op);
    else ctx.out(renderOperationSteps(op));
    return 0;
  },
};

const reload: Command = {
  path: ['apps', 'reload'], usage: 'fleetdeck apps reload GROUP [--overwrite] [--json]',
  summary: 'reload every agent with the group\'s configuration (re-rendered when its spec changed; hand edits kept), restart pods that need it',
  flags: [...CLUSTER, 'overwrite'],
  async run(ctx) {
    const report = await (await appsServiceFor(ctx)).reload(one(ctx, this.usage, 'group name'), { overwrite: flagBool(ctx.args, 'overwrite') });
    if (ctx.json) printJson(ctx, report);
    else {
      const configMap = report.configMapUpdated ? 'ConfigMap re-rendered from the Group spec'
        : report.source === 'live' ? 'ConfigMap as edited in the cluster (kept)' : 'ConfigMap unchanged';
      ctx.out(`${report.group}: ${configMap} (config ${report.configHash})`);
      ctx.out(renderTable(['INSTANCE', 'CHANGED', 'RESTART', 'MESSAGE'], report.instances.map((i) => [
        i.instance, i.changedKeys.join(',') || '-', i.restarted ? 'restarted' : i.requiresRestart ? 'needed' : '-', i.message,
      ])));
    }
    return report.instances.some((i) => i.error) ? 1 : 0;
  },
};

const failover: Command = {
  path: ['apps', 'failover'], usage: 'fleetdeck apps failover GROUP [--target INSTANCE] [--force] [--json]',
  summary: 'promote a replica to master through the agents', flags: [...CLUSTER, 'target', 'force'],
  async run(ctx) {
    const target = flagString(ctx.args, 'target');
    const report = await (await appsServiceFor(ctx)).failover(one(ctx, this.usage, 'group name'),
      { ...(target ? { target } : {}), force: flagBool(ctx.args, 'force') });
    if (ctx.json) printJson(ctx, report);
    else ctx.out(`${report.group}: ${report.newMaster} is the master now (was ${report.oldMaster || '-'})`);
    return 0;
  },
};

const roll: Command = {
  path: ['apps', 'roll'], usage: 'fleetdeck apps roll GROUP [--json]',
  summary: 're-render a group with its current plugin and roll its instances (maxSurge, maxUnavailable, partition)', flags: CLUSTER,
  async run(ctx) {
    const report = await (await appsServiceFor(ctx)).roll(one(ctx, this.usage, 'group name'));
    if (ctx.json) printJson(ctx, report);
    else {
      ctx.out(`${report.group}: rolled ${report.batches.map((b) => b.join('+')).join(' → ') || 'nothing'}`
        + `${report.surged.length ? `; stand-ins covered ${report.surged.join(', ')}` : ''}${report.held.length ? `; held by the partition: ${report.held.join(', ')}` : ''}`);
    }
    return 0;
  },
};

function backupRow(b: BackupEntry): string[] {
  return [b.name, b.createdAt, b.algorithm, String(b.size)];
}

const backup: Command = {
  path: ['apps', 'backup'], usage: 'fleetdeck apps backup GROUP [--to DIR|s3://BUCKET/PREFIX] [--keep N] [--algorithm aes256-gcm|aes256-cbc] [--from DIR]',
  summary: 'encrypted backup of the group\'s data (tar.gz, sha256, AES-256)', flags: [...CLUSTER, 'to', 'keep', 'algorithm', 'from'],
  async run(ctx) {
    const to = flagString(ctx.args, 'to');
    const keep = flagInt(ctx.args, 'keep');
    const algorithm = flagString(ctx.args, 'algorithm');
    const from = flagString(ctx.args, 'from');
    const report: BackupReport = await (await appsServiceFor(ctx)).backup(one(ctx, this.usage, 'group name'), {
      ...(to ? { to } : {}), ...(keep === undefined ? {} : { keep }), ...(algorithm ? { algorithm } : {}), ...(from ? { from } : {}),
    });
    if (ctx.json) printJson(ctx, report);
    else ctx.out(`${report.group}: backed up ${report.source} to ${report.target} as ${report.backup.name}${report.pruned.length ? ` (pruned ${report.pruned.length})` : ''}`);
    return 0;
  },
};

const backups: Command = {
  path: ['apps', 'backups'], usage: 'fleetdeck apps backups GROUP [--to DIR|s3://BUCKET/PREFIX] [--json]',
  summary: 'the group\'s backups, newest first', flags: [...CLUSTER, 'to'],
  async run(ctx) {
    const to = flagString(ctx.args, 'to');
    const listed = await (await appsServiceFor(ctx)).backups(one(ctx, this.usage, 'group name'), to ? { to } : {});
    if (ctx.json) printJson(ctx, listed);
    else ctx.out(listed.backups.length === 0 ? `No backups in ${listed.target}.` : renderTable(['NAME', 'CREATED', 'ALGORITHM', 'BYTES'], listed.backups.map(backupRow)));
    return 0;
  },
};

const restore: Command = {
  path: ['apps', 'restore'],
  usage: 'fleetdeck apps restore NAME|FILE|s3://BUCKET/PREFIX/GROUP/NAME.fdbk [--from DIR|s3://BUCKET/PREFIX] (--into DIR | --yes | --confirm GROUP) [--json]',
  summary: 'verify an archive and restore it into DIR, or over the live data of its group\'s master (stop, replace, start)',
  flags: [...CLUSTER, 'into', 'from', 'yes', 'confirm'],
  async run(ctx) {
    const into = flagString(ctx.args, 'into');
    const from = flagString(ctx.args, 'from');
    const confirm = flagBool(ctx.args, 'yes') ? true : flagString(ctx.args, 'confirm');
    const report = await (await appsServiceFor(ctx)).restore(one(ctx, this.usage, 'archive'), {
      ...(into ? { into } : {}), ...(from ? { from } : {}), ...(confirm === undefined ? {} : { confirm }),
    });
    if (ctx.json) printJson(ctx, report);
    else if (report.instance === null) {
      ctx.out(`Restored ${report.archive} (group ${report.group}, sha256 ${report.manifest.sha256.slice(0, 16)}…) into ${report.targetDir}`);
    } else {
      ctx.out(`Restored ${report.archive} over the data of ${report.instance} (group ${report.group}, sha256 ${report.manifest.sha256.slice(0, 16)}…): `
        + `${report.restarted ? 'stopped, replaced and started again' : 'replaced'}; the previous data is in ${report.previous ?? '(there was none)'}`);
    }
    return 0;
  },
};

export const appsCommands: Command[] = [ls, show, render, apply, remove, reload, failover, roll, backup, backups, restore];
