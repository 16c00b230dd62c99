/**
 * `fleetdeck dr …`: DR plans and executions (seed 004). `execute` and `revert` run the execution in this process
 * and follow it to the end (exit 0 on Succeeded, 1 otherwise). `--detach` creates it, starts a detached
 * `fleetdeck dr run-execution ID` child to run it, and prints the id at once. `fleetdeck dr resume` (or a daemon
 * calling DrService.orphaned + run) picks up executions whose process died.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { drServiceFor, type DrService } from '../../../core/dr/dr-service.js';
import { toArgoWorkflow } from '../../../core/dr/executor/argo-export.js';
import { parseParamOverrides } from '../../../core/dr/render/params.js';
import type { PlanRendering } from '../../../core/dr/render/plan.js';
import type { ExecutionView } from '../../../core/dr/store/types.js';
import { ValidationError } from '../../../core/errors.js';
import { flagBool, flagInt, flagString } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { age, renderTable } from '../table.js';

async function service(ctx: CommandContext): Promise<DrService> {
  return drServiceFor(await ctx.engine());
}

function one(ctx: CommandContext, usage: string, what: string): string {
  const [value, ...rest] = ctx.operands;
  if (!value || rest.length > 0) throw new ValidationError(`give one ${what}`, `Usage: ${usage}`);
  return value;
}

function readInput(ctx: CommandContext, file: string): Promise<string> | string {
  if (file === '-') return ctx.readStdin();
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 'Check the path and its permissions.', 'file');
  }
}

const MARK: Record<string, string> = { Pending: ' ', Running: '…', Succeeded: '✓', Failed: '✗', Skipped: '-', Canceled: '⊘', RolledBack: '↩' };

export function renderExecution(view: ExecutionView): string {
  const lines = [`Execution ${view.id}: ${view.kind} of ${view.planNamespace}/${view.planName} — ${view.phase}${view.parentId ? ` (reverts ${view.parentId})` : ''}`];
  for (const a of view.actions) {
    const took = a.startedAt && a.finishedAt ? ` ${((Date.parse(a.finishedAt) - Date.parse(a.startedAt)) / 1000).toFixed(1)}s` : '';
    const tries = a.attempts > 1 ? ` (${a.attempts} attempts)` : '';
    lines.push(`  ${MARK[a.phase] ?? '?'} ${a.workflow}/${a.action.padEnd(24)} ${a.type.padEnd(18)} ${a.phase}${took}${tries}${a.error ? `: ${a.error}` : ''}`);
  }
  if (view.message && view.phase !== 'Succeeded') lines.push(`message: ${view.message}`);
  return lines.join('\n');
}

function renderDryRun(r: PlanRendering): string {
  const lines = [`Plan ${r.planName} (dry run; nothing was changed)`];
  for (const stage of r.stages) {
    lines.push(`stage ${stage.name}${stage.dependsOn.length ? ` (after ${stage.dependsOn.join(', ')})` : ''}${stage.parallel ? ' [parallel]' : ''}`);
    for (const wf of stage.workflows) {
      lines.push(`  workflow ${wf.key}  params: ${Object.entries(wf.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
      for (const a of wf.actions) {
        lines.push(`    - ${a.name} (${a.type})${a.dependsOn.length ? ` after ${a.dependsOn.join(', ')}` : ''}${a.when ? ` when ${a.when.source} → ${a.when.result}` : ''}`);
        const { name: _n, type: _t, when: _w, rollback: _r, dependsOn: _d, ...body } = a.action;
        for (const line of stringify(body).trimEnd().split('\n')) lines.push(`        ${line}`);
      }
    }
  }
  return lines.join('\n');
}

async function followAndPrint(ctx: CommandContext, dr: DrService, id: string, runHere: boolean): Promise<number> {
  if (runHere) await dr.run(id);
  const view = await dr.follow(id);
  if (ctx.json) printJson(ctx, view);
  else ctx.out(renderExecution(view));
  return view.phase === 'Succeeded' ? 0 : 1;
}

/** Starts `fleetdeck [global flags] dr run-execution ID` detached, so the execution outlives this command. */
function spawnRunner(ctx: CommandContext, id: string): void {
  const global: string[] = [];
  for (const flag of ['data-dir', 'database-url', 'config']) {
    const value = flagString(ctx.args, flag);
    if (value) global.push(`--${flag}`, value);
  }
  if (ctx.config.sandbox) global.push('--sandbox');
  const child = spawn(process.execPath, [process.argv[1] ?? 'fleetdeck', ...global, 'dr', 'run-execution', id], { detached: true, stdio: 'ignore' });
  child.unref();
}

async function startAndMaybeDetach(ctx: CommandContext, dr: DrService, id: string): Promise<number> {
  if (flagBool(ctx.args, 'detach')) {
    spawnRunner(ctx, id);
    if (ctx.json) printJson(ctx, { id });
    else ctx.out(id);
    return 0;
  }
  return followAndPrint(ctx, dr, id, true);
}

const commands: Command[] = [
  {
    path: ['dr', 'validate'], usage: 'fleetdeck dr validate FILE [--json]', summary: 'check DR plans and workflows in a YAML file', flags: [],
    async run(ctx) {
      const file = one(ctx, this.usage, 'file');
      const bundle = await (await service(ctx)).validate(await readInput(ctx, file), file);
      const summary = { valid: true, plans: bundle.plans.map((p) => p.metadata.name), workflows: bundle.workflows.map((w) => w.metadata.name) };
      if (ctx.json) printJson(ctx, summary);
      else ctx.out(`${file} is valid: ${summary.plans.length} plan(s), ${summary.workflows.length} workflow(s)`);
      return 0;
    },
  },
  {
    path: ['dr', 'apply'], usage: 'fleetdeck dr apply -f FILE [--json]', summary: 'store DR plans and workflows from a YAML file', flags: ['file'],
    async run(ctx) {
      const file = flagString(ctx.args, 'file') ?? ctx.operands[0];
      if (!file) throw new ValidationError('give a file with -f FILE', `Usage: ${this.usage}`, 'file');
      const applied = await (await service(ctx)).apply(await readInput(ctx, file), file);
      if (ctx.json) printJson(ctx, applied);
      else ctx.out([...applied.workflows.map((w) => `drworkflow/${w} applied`), ...applied.plans.map((p) => `drplan/${p} applied`)].join('\n'));
      return 0;
    },
  },
  {
    path: ['dr', 'ls'], usage: 'fleetdeck dr ls [--limit N] [--json]', summary: 'list DR plans (and recent executions)', flags: ['limit'],
    async run(ctx) {
      const dr = await service(ctx);
      const [plans, executions] = await Promise.all([dr.listPlans(), dr.listExecutions(flagInt(ctx.args, 'limit') ?? 20)]);
      if (ctx.json) {
        printJson(ctx, { plans, executions });
        return 0;
      }
      ctx.out(plans.length === 0 ? 'No DR plans. Store one with `fleetdeck dr apply -f FILE`.' : renderTable(['PLAN', 'NAMESPACE', 'STAGES', 'LAST', 'DESCRIPTION'],
        plans.map((p) => [p.name, p.namespace, String(p.stages), p.lastExecution ? `${p.lastExecution.kind} ${p.lastExecution.phase}` : '-', p.description])));
      if (executions.length > 0) {
        ctx.out('');
        ctx.out(renderTable(['EXECUTION', 'PLAN', 'KIND', 'PHASE', 'AGE'], executions.map((e) => [e.id, e.planName, e.kind, e.phase, age(e.createdAt)])));
      }
      return 0;
    },
  },
  {
    path: ['dr', 'plan'], usage: 'fleetdeck dr plan NAME [--param k=v]... [--json]', summary: 'dry run: print every rendered action', flags: ['param'],
    async run(ctx) {
      const rendering = await (await service(ctx)).dryRun(one(ctx, this.usage, 'plan name'), parseParamOverrides(ctx.args.repeated.get('param') ?? []));
      if (ctx.json) printJson(ctx, rendering);
      else ctx.out(renderDryRun(rendering));
      return 0;
    },
  },
  {
    path: ['dr', 'execute'], usage: 'fleetdeck dr execute NAME [--param k=v]... [--detach] [--json]', summary: 'execute a DR plan and follow it', flags: ['param', 'detach'],
    async run(ctx) {
      const dr = await service(ctx);
      const execution = await dr.startExecute(one(ctx, this.usage, 'plan name'), parseParamOverrides(ctx.args.repeated.get('param') ?? []));
      return startAndMaybeDetach(ctx, dr, execution.id);
    },
  },
  {
    path: ['dr', 'revert'], usage: 'fleetdeck dr revert EXEC [--detach] [--json]', summary: 'undo the succeeded actions of an execution, last first', flags: ['detach'],
    async run(ctx) {
      const dr = await service(ctx);
      const execution = await dr.startRevert(one(ctx, this.usage, 'execution id'));
      return startAndMaybeDetach(ctx, dr, execution.id);
    },
  },
  {
    path: ['dr', 'status'], usage: 'fleetdeck dr status EXEC [--json]', summary: 'show an execution and every action', flags: [],
    async run(ctx) {
      const view = await (await service(ctx)).status(one(ctx, this.usage, 'execution id'));
      if (ctx.json) printJson(ctx, view);
      else ctx.out(renderExecution(view));
      return view.phase === 'Failed' || view.phase === 'Cancelled' ? 1 : 0;
    },
  },
  {
    path: ['dr', 'cancel'], usage: 'fleetdeck dr cancel EXEC [--json]', summary: 'stop an execution cleanly', flags: [],
    async run(ctx) {
      const execution = await (await service(ctx)).cancel(one(ctx, this.usage, 'execution id'));
      if (ctx.json) printJson(ctx, execution);
      else ctx.out(execution.phase === 'Cancelled' ? `${execution.id} cancelled` : `${execution.id}: cancellation requested (${execution.phase})`);
      return 0;
    },
  },
  {
    path: ['dr', 'export-argo'], usage: 'fleetdeck dr export-argo NAME [--param k=v]... [--output FILE] [--json]', summary: 'write the plan as an Argo Workflow', flags: ['param', 'output'],
    async run(ctx) {
      const overrides = parseParamOverrides(ctx.args.repeated.get('param') ?? []);
      const workflow = toArgoWorkflow(await (await service(ctx)).dryRun(one(ctx, this.usage, 'plan name'), overrides), { params: overrides });
      const text = ctx.json ? JSON.stringify(workflow, null, 2) : stringify(workflow);
      const output = flagString(ctx.args, 'output');
      if (output) writeFileSync(output, text);
      else ctx.out(text.trimEnd());
      return 0;
    },
  },
  {
    path: ['dr', 'run-execution'], usage: 'fleetdeck dr run-execution EXEC', summary: '(internal) run or resume an execution in this process', flags: [],
    async run(ctx) {
      const dr = await service(ctx);
      const outcome = await dr.run(one(ctx, this.usage, 'execution id'));
      if (ctx.json) printJson(ctx, outcome);
      return outcome.execution.phase === 'Succeeded' ? 0 : 1;
    },
  },
  {
    path: ['dr', 'resume'], usage: 'fleetdeck dr resume [--json]', summary: 'resume executions whose process died', flags: [],
    async run(ctx) {
      const dr = await service(ctx);
      const results = [];
      for (const id of await dr.orphaned()) {
        const outcome = await dr.run(id);
        results.push({ id, phase: outcome.execution.phase, ran: outcome.ran });
      }
      if (ctx.json) printJson(ctx, results);
      else ctx.out(results.length === 0 ? 'Nothing to resume.' : results.map((r) => `${r.id}: ${r.phase}`).join('\n'));
      return results.every((r) => r.phase === 'Succeeded') ? 0 : 1;
    },
  },
];

export const drCommands: Command[] = commands;
