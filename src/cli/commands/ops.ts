import { ValidationError } from '../../../core/errors.js';
import type { OperationRecord } from '../../../core/operations/types.js';
import { flagInt } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { age, renderTable } from '../table.js';

function operationId(ctx: CommandContext, usage: string): number {
  const [id, ...rest] = ctx.operands;
  if (!id || rest.length > 0 || !/^\d+$/.test(id)) throw new ValidationError('give one operation id', `Usage: ${usage}`);
  return Number(id);
}

const STEP_MARK: Record<string, string> = {
  pending: ' ', started: '…', succeeded: '✓', failed: '✗', skipped: '-', compensating: '↺', compensated: '↩',
};

export function renderOperation(op: OperationRecord): string {
  const lines = [`Operation ${op.id}: ${op.kind} ${op.target} — ${statusText(op)}`, `Started by ${op.actor} ${age(op.createdAt)} ago`];
  for (const step of op.steps) {
    const warned = op.status === 'succeeded' && step.status === 'failed';
    lines.push(`  ${warned ? '!' : STEP_MARK[step.status] ?? '?'} ${String(step.position).padStart(2)}. ${step.name.padEnd(18)} ${warned ? 'warning' : step.status}${step.error ? `: ${step.error}` : ''}`);
  }
  for (const warning of op.warnings) lines.push(`warning: ${warning}`);
  if (op.error) lines.push(`error: ${op.error}`);
  if (op.hint && op.status !== 'succeeded') lines.push(`hint: ${op.hint}`);
  return lines.join('\n');
}

/** A finished operation counts a step that failed as a warning (Git during delete) as done. */
export function stepsDone(op: OperationRecord): string {
  const done = op.steps.filter((s) => s.status === 'succeeded' || s.status === 'skipped' || (op.status === 'succeeded' && s.status === 'failed')).length;
  return `${done}/${op.steps.length}`;
}

export function statusText(op: OperationRecord): string {
  const n = op.warnings.length;
  return n === 0 ? op.status : `${op.status} (${n} warning${n === 1 ? '' : 's'})`;
}

const ls: Command = {
  path: ['ops', 'ls'], usage: 'fleetdeck ops ls [--limit N] [--json]', summary: 'list journaled operations, newest first', flags: ['limit'],
  async run(ctx) {
    const ops = await (await ctx.engine()).operations.list(flagInt(ctx.args, 'limit') ?? 50);
    if (ctx.json) printJson(ctx, ops);
    else ctx.out(ops.length === 0 ? 'No operations yet.' : renderTable(['ID', 'KIND', 'TARGET', 'STATUS', 'STEPS', 'AGE'],
      ops.map((op) => [String(op.id), op.kind, op.target, statusText(op), stepsDone(op), age(op.createdAt)])));
    return 0;
  },
};

function operationCommand(verb: 'show' | 'resume' | 'undo', summary: string): Command {
  return {
    path: ['ops', verb], usage: `fleetdeck ops ${verb} ID [--json]`, summary, flags: [],
    async run(ctx) {
      const runner = (await ctx.engine()).operations;
      const id = operationId(ctx, this.usage);
      const op = verb === 'show' ? await runner.show(id) : verb === 'resume' ? await runner.resume(id) : await runner.undo(id);
      if (ctx.json) printJson(ctx, op);
      else ctx.out(renderOperation(op));
      return op.status === 'failed' || op.status === 'undo_failed' ? 1 : 0;
    },
  };
}

export const opsCommands: Command[] = [
  ls,
  operationCommand('show', 'show an operation and its steps'),
  operationCommand('resume', 'resume an operation at its first step not done'),
  operationCommand('undo', 'compensate the steps an operation completed, last first'),
];
