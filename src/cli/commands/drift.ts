import type { DriftItem, DriftReport } from '../../../core/drift/types.js';
import type { PlannedRepair } from '../../../core/drift/plan.js';
import type { RepairPlan } from '../../../core/drift/plan-store.js';
import { ValidationError } from '../../../core/errors.js';
import { flagBool, flagString } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { renderTable } from '../table.js';
import { renderOperation } from './ops.js';

export function renderDriftReport(report: DriftReport): string {
  const lines = [`Checked ${report.counts.clusters} clusters, ${report.counts.branches} branches, ${report.counts.live} running clusters, ${report.counts.registrations} registrations.`];
  for (const source of report.unchecked) lines.push(`✗ could not check ${source.source}: ${source.error}${source.hint ? ` (${source.hint})` : ''}`);
  if (report.unchecked.length > 0 && report.items.length > 0) lines.push('The drift below may be incomplete: what could not be checked is not in it.');
  if (report.items.length === 0) {
    lines.push(report.unchecked.length === 0 ? '✓ No drift: the inventory, Git, the clusters and the registrations agree.' : 'No drift in what could be checked.');
    return lines.join('\n');
  }
  lines.push(`✗ ${report.items.length} drift item${report.items.length === 1 ? '' : 's'}:`, '');
  lines.push(renderTable(['ID', 'PROBLEM', 'SUGGESTED REPAIR'], report.items.map((i) => [i.id, i.message, repairText(i)])));
  lines.push('', 'Plan the repairs with `fleetdeck repair --plan`, then apply the plan with `fleetdeck repair --apply PLAN-ID`.');
  return lines.join('\n');
}

function repairText(item: DriftItem): string {
  const main = item.repair.destructive ? `(only with --delete) ${item.repair.description}` : item.repair.description;
  return item.alternative ? `${main}; or, with --delete, ${item.alternative.description}` : main;
}

export function renderPlan(plan: RepairPlan): string {
  const byId = new Map(plan.items.map((i) => [i.id, i]));
  const lines = [`Plan ${plan.id} (${plan.status}), made by ${plan.actor} at ${plan.createdAt}`];
  if (plan.repairs.length === 0) lines.push('Nothing to repair.');
  else lines.push(renderTable(['ITEM', 'PROBLEM', 'ACTION'], plan.repairs.map((r: PlannedRepair) => [r.itemId, byId.get(r.itemId)?.message ?? '',
    r.choice ? `${r.choice.destructive ? 'DESTROYS: ' : ''}${r.choice.description}` : `skip — ${r.note ?? ''}`])));
  if (plan.actions.length > 0 && plan.status === 'planned') lines.push('', `Apply exactly this plan with \`fleetdeck repair --apply ${plan.id}\`; it is refused if the fleet changes first.`);
  return lines.join('\n');
}

const drift: Command = {
  path: ['drift'], usage: 'fleetdeck drift [--json]',
  summary: 'compare the inventory with Git, the clusters and the registrations (exit 0 clean, 3 drift, 1 some system could not be checked)', flags: [],
  async run(ctx) {
    const report = await (await ctx.engine()).drift.scan();
    if (ctx.json) printJson(ctx, report);
    else ctx.out(renderDriftReport(report));
    // "Could not check" wins over "drift found": a report with a blind spot is not a verdict (its JSON lists them in `unchecked`).
    if (report.unchecked.length > 0) return 1;
    return report.items.length > 0 ? 3 : 0;
  },
};

function listFlag(ctx: CommandContext, name: string): string[] {
  return (flagString(ctx.args, name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

const repair: Command = {
  path: ['repair'],
  usage: 'fleetdeck repair --plan [--only ID|KIND,...] [--delete] [--json] | fleetdeck repair --apply PLAN-ID [--json]',
  summary: 'plan repairs for the current drift, or apply a stored plan (refused when stale)', flags: ['plan', 'apply', 'only', 'delete'],
  async run(ctx) {
    const apply = flagString(ctx.args, 'apply');
    const planning = flagBool(ctx.args, 'plan');
    if (planning === (apply !== undefined)) throw new ValidationError('give either --plan or --apply PLAN-ID', `Usage: ${this.usage}`);
    const service = (await ctx.engine()).drift;
    if (apply !== undefined) {
      const result = await service.apply(apply);
      if (ctx.json) printJson(ctx, result);
      else ctx.out([renderPlan(result.plan), ...(result.operation ? ['', renderOperation(result.operation)] : [])].join('\n'));
      return result.operation && result.operation.status !== 'succeeded' ? 1 : 0;
    }
    const selectors = listFlag(ctx, 'only');
    const destructive = flagBool(ctx.args, 'delete');
    if (destructive && selectors.length === 0) {
      throw new ValidationError('--delete needs --only naming the items or kinds to repair destructively', 'For example: fleetdeck repair --plan --only orphan_cluster:scratch --delete');
    }
    let only: string[] | undefined;
    if (selectors.length > 0) {
      const current = (await service.scan()).items;
      only = current.filter((i) => selectors.includes(i.id) || selectors.includes(i.kind)).map((i) => i.id);
      const unmatched = selectors.filter((s) => !current.some((i) => i.id === s || i.kind === s));
      if (unmatched.length > 0) throw new ValidationError(`no current drift item matches ${unmatched.join(', ')}`, 'List the items with `fleetdeck drift`.', 'only');
    }
    const plan = await service.plan({ ...(only ? { only } : {}), ...(destructive && only ? { destructive: only } : {}) });
    if (ctx.json) printJson(ctx, plan);
    else ctx.out(renderPlan(plan));
    return 0;
  },
};

export const driftCommands: Command[] = [drift, repair];
