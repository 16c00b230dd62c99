import { ValidationError } from '../../../core/errors.js';
import type { CreateEnvOptions } from '../../../core/lifecycle/lifecycle-service.js';
import { flagBool, flagInt, flagString } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { renderOperation } from './ops.js';

function oneName(ctx: CommandContext, usage: string): string {
  const [name, ...rest] = ctx.operands;
  if (!name || rest.length > 0) throw new ValidationError('give one environment name', `Usage: ${usage}`, 'name');
  return name;
}

function yesNo(ctx: CommandContext, flag: string): boolean | undefined {
  const value = flagString(ctx.args, flag);
  if (value === undefined) return undefined;
  if (value === 'yes' || value === 'no') return value === 'yes';
  throw new ValidationError(`--${flag} takes yes or no, not "${value}"`, `Write --${flag} yes or --${flag} no.`, flag);
}

const create: Command = {
  path: ['env', 'create'],
  usage: 'fleetdeck env create NAME --provider k3d|kind [--subnet CIDR] [--pf-port N] [--http-port N] [--https-port N] [--node-port N] [--portainer yes|no] [--haproxy yes|no] [--json]',
  summary: 'create an environment: row, Git branch, cluster, Portainer, ArgoCD, HAProxy (journaled, resumable)',
  flags: ['provider', 'subnet', 'pf-port', 'http-port', 'https-port', 'node-port', 'portainer', 'haproxy'],
  async run(ctx) {
    const name = oneName(ctx, this.usage);
    const provider = flagString(ctx.args, 'provider');
    if (!provider) throw new ValidationError('--provider is required', `Usage: ${this.usage}`, 'provider');
    const opts: CreateEnvOptions = {};
    const subnet = flagString(ctx.args, 'subnet');
    if (subnet !== undefined) opts.subnet = subnet;
    const ports = [['pfPort', 'pf-port'], ['httpPort', 'http-port'], ['httpsPort', 'https-port'], ['nodePort', 'node-port']] as const;
    for (const [key, flag] of ports) {
      const value = flagInt(ctx.args, flag);
      if (value !== undefined) opts[key] = value;
    }
    const portainer = yesNo(ctx, 'portainer');
    if (portainer !== undefined) opts.registerPortainer = portainer;
    const haproxy = yesNo(ctx, 'haproxy');
    if (haproxy !== undefined) opts.haproxyRoute = haproxy;
    const op = await (await ctx.engine()).lifecycle.create(name, provider, opts);
    if (ctx.json) printJson(ctx, op);
    else ctx.out(renderOperation(op));
    return op.status === 'succeeded' ? 0 : 1;
  },
};

const remove: Command = {
  path: ['env', 'delete'],
  usage: 'fleetdeck env delete NAME (--yes | --confirm NAME) [--json]',
  summary: 'delete an environment: cluster, registrations, Git branch, then the row (journaled, resumable)',
  flags: ['yes', 'confirm'],
  async run(ctx) {
    const name = oneName(ctx, this.usage);
    const confirmed = flagBool(ctx.args, 'yes') || flagString(ctx.args, 'confirm') === name;
    if (!confirmed) {
      throw new ValidationError(`deleting ${name} destroys its cluster; confirm it`, `Run again with --confirm ${name} (the name typed out) or --yes.`, 'confirm');
    }
    const op = await (await ctx.engine()).lifecycle.delete(name);
    if (ctx.json) printJson(ctx, op);
    else ctx.out(renderOperation(op));
    return op.status === 'succeeded' ? 0 : 1;
  },
};

export const envCommands: Command[] = [create, remove];
