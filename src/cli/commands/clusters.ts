import { readFileSync, writeFileSync } from 'node:fs';
import { ValidationError, fileAccessError } from '../../../core/errors.js';
import type { CsvImportReport } from '../../../core/inventory/csv.js';
import type { ClusterRecord, ClusterSpec } from '../../../core/inventory/types.js';
import { flagInt, flagString } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { age, renderFields, renderTable } from '../table.js';

function clusterRow(c: ClusterRecord, now: number): string[] {
  return [c.name, c.provider, c.subnet ?? '-', String(c.pfPort), String(c.httpPort), String(c.httpsPort), String(c.nodePort),
    c.registerPortainer ? 'yes' : 'no', c.haproxyRoute ? 'yes' : 'no', age(c.createdAt, now)];
}

export const CLUSTER_HEADERS = ['NAME', 'PROVIDER', 'SUBNET', 'PF', 'HTTP', 'HTTPS', 'NODEPORT', 'PORTAINER', 'HAPROXY', 'AGE'];

export function renderClusters(clusters: readonly ClusterRecord[]): string {
  const now = Date.now();
  return clusters.length === 0 ? 'No clusters in the inventory. Add one with `fleetdeck clusters add NAME --provider k3d`.'
    : renderTable(CLUSTER_HEADERS, clusters.map((c) => clusterRow(c, now)));
}

function renderCluster(c: ClusterRecord): string {
  return renderFields([
    ['Name', c.name], ['Provider', c.provider], ['Subnet', c.subnet ?? '-'], ['PF port', String(c.pfPort)],
    ['HTTP port', String(c.httpPort)], ['HTTPS port', String(c.httpsPort)], ['NodePort', String(c.nodePort)],
    ['Portainer', c.registerPortainer ? 'register' : 'skip'], ['HAProxy route', c.haproxyRoute ? 'yes' : 'no'],
    ['Created', c.createdAt], ['Updated', c.updatedAt],
  ]);
}

function oneName(ctx: CommandContext, usage: string): string {
  const [name, ...rest] = ctx.operands;
  if (!name || rest.length > 0) throw new ValidationError('give exactly one cluster name', `Usage: ${usage}`);
  return name;
}

const ls: Command = {
  path: ['clusters', 'ls'], usage: 'fleetdeck clusters ls [--json]', summary: 'list the inventory', flags: [],
  async run(ctx) {
    const clusters = await (await ctx.engine()).inventory.list();
    if (ctx.json) printJson(ctx, clusters);
    else ctx.out(renderClusters(clusters));
    return 0;
  },
};

const show: Command = {
  path: ['clusters', 'show'], usage: 'fleetdeck clusters show NAME [--json]', summary: 'show one cluster', flags: [],
  async run(ctx) {
    const cluster = await (await ctx.engine()).inventory.show(oneName(ctx, this.usage));
    if (ctx.json) printJson(ctx, cluster);
    else ctx.out(renderCluster(cluster));
    return 0;
  },
};

const add: Command = {
  path: ['clusters', 'add'],
  usage: 'fleetdeck clusters add NAME --provider k3d|kind [--subnet CIDR] [--pf-port N] [--http-port N] [--https-port N] [--node-port N]',
  summary: 'add a cluster to the inventory, allocating free ports and a k3d subnet',
  flags: ['provider', 'subnet', 'pf-port', 'http-port', 'https-port', 'node-port'],
  async run(ctx) {
    const name = oneName(ctx, this.usage);
    // The provider is validated by the inventory, inside the audited action, so a bad one is recorded.
    const spec: ClusterSpec = { name, provider: (flagString(ctx.args, 'provider') ?? '') as ClusterSpec['provider'] };
    const subnet = flagString(ctx.args, 'subnet');
    if (subnet !== undefined) spec.subnet = subnet;
    const ports: [keyof ClusterSpec, string][] = [['pfPort', 'pf-port'], ['httpPort', 'http-port'], ['httpsPort', 'https-port'], ['nodePort', 'node-port']];
    for (const [key, flag] of ports) {
      const value = flagInt(ctx.args, flag);
      if (value !== undefined) (spec as unknown as Record<string, number>)[key] = value;
    }
    const cluster = await (await ctx.engine()).inventory.add(spec);
    if (ctx.json) printJson(ctx, cluster);
    else ctx.out(`Added ${cluster.name} (${cluster.provider}): pf ${cluster.pfPort}, http ${cluster.httpPort}, https ${cluster.httpsPort}${cluster.subnet ? `, subnet ${cluster.subnet}` : ''}`);
    return 0;
  },
};

const rm: Command = {
  path: ['clusters', 'rm'], usage: 'fleetdeck clusters rm NAME', summary: 'remove a cluster row from the inventory', flags: [],
  async run(ctx) {
    const removed = await (await ctx.engine()).inventory.remove(oneName(ctx, this.usage));
    if (ctx.json) printJson(ctx, removed);
    else ctx.out(`Removed ${removed.name} from the inventory.`);
    return 0;
  },
};

function renderImport(report: CsvImportReport): string {
  const lines = [`Total: ${report.total}`, `Imported: ${report.imported}`, `Skipped: ${report.skipped}`, `Failed: ${report.failed}`];
  for (const skip of report.skippedRows) lines.push(`  skipped line ${skip.line} (${skip.name}): ${skip.reason}`);
  for (const error of report.errors) lines.push(`  failed line ${error.line} (${error.name || '?'}): ${error.reason}`);
  return lines.join('\n');
}

const importCsv: Command = {
  path: ['clusters', 'import-csv'], usage: 'fleetdeck clusters import-csv FILE', summary: 'import Kindler\'s environments.csv', flags: [],
  async run(ctx) {
    const file = oneName(ctx, this.usage);
    let text: string;
    try {
      text = file === '-' ? await ctx.readStdin() : readFileSync(file, 'utf8');
    } catch (error) {
      throw fileAccessError(error, 'read', file) ?? error;
    }
    const report = await (await ctx.engine()).inventory.importCsv(text, file);
    if (ctx.json) printJson(ctx, report);
    else ctx.out(renderImport(report));
    return report.failed > 0 ? 1 : 0;
  },
};

const exportCsv: Command = {
  path: ['clusters', 'export-csv'], usage: 'fleetdeck clusters export-csv [FILE]', summary: 'export the inventory as Kindler CSV', flags: [],
  async run(ctx) {
    const [file, ...rest] = ctx.operands;
    if (rest.length > 0) throw new ValidationError('give at most one file', `Usage: ${this.usage}`);
    const csv = await (await ctx.engine()).inventory.exportCsv();
    if (file) {
      try {
        writeFileSync(file, csv);
      } catch (error) {
        throw fileAccessError(error, 'write', file) ?? error;
      }
      if (!ctx.json) ctx.out(`Wrote ${file}.`);
      else printJson(ctx, { file });
    } else {
      ctx.out(csv.trimEnd());
    }
    return 0;
  },
};

export const clusterCommands: Command[] = [ls, show, add, rm, importCsv, exportCsv];
