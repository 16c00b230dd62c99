/**
 * `fleetdeck dr …`: DR plans and executions (seed 004). Plans come from the database (`dr apply`) and from DRPlan
 * custom resources in the management cluster (and the cluster named with `--cluster`). `execute` and `revert` run
 * the execution in this process and follow it to the end (exit 0 on Succeeded, 1 otherwise). `--detach` creates
 * it, starts a detached `fleetdeck dr run-execution ID` child to run it, and prints the id at once.
 * While following, people see a line per action transition (src/cli/dr-progress.ts), then the summary; `--json`
 * prints only the final document. `cancel` waits for the execution to end: a live runner stops at its next
 * heartbeat, and an execution whose runner died is finished as Canceled by `cancel` itself once its lease expired.
 * `fleetdeck dr resume` (or a daemon calling DrService.orphaned + run) picks up executions whose process died.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { drServiceFor, type DrService } from '../../../core/dr/dr-service.js';
import { DEFAULT_LEASE_MS } from '../../../core/dr/executor/index.js';
import { parseParamOverrides } from '../../../core/dr/render/params.js';
import type { PlanRendering } from '../../../core/dr/render/plan.js';
import { DRFileValidationError, DRValidationError, formatIssue } from '../../../core/dr/schema/issues.js';
import type { ExecutionView } from '../../../core/dr/store/types.js';
import { ValidationError } from '../../../core/errors.js';
import { drSecretsFor } from '../../sandbox/dr/secrets.js';
import { flagBool, flagInt, flagString } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { printJson } from '../context.js';
import { ProgressPrinter } from '../dr-progress.js';
import { age, renderTable } from '../table.js';

async function service(ctx: CommandContext): Promise<DrService> {
  const engine = await ctx.engine();
  const cluster = flagString(ctx.args, 'cluster');
  return drServiceFor(engine, { secrets: drSecretsFor(engine), ...(cluster ? { clusters: [cluster] } : {}) });
}

function one(ctx: CommandContext, usage: string, what: string): string {
  const [value, ...rest] = ctx.operands;
  if (!value || rest.length > 0) throw new ValidationError(`give one ${what}`, `Usage: ${usage}`);
  return value;
}

function params(ctx: CommandContext): Record<string, string> {
  return parseParamOverrides(ctx.args.repeated.get('param') ?? []);
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
  const source = view.planSource && view.planSource !== 'stored' ? ` [${view.planSource}]` : '';
  const lines = [`Execution ${view.id}: ${view.kind} of ${view.planNamespace}/${view.planName}${source} — ${view.phase}${view.parentId ? ` (reverts ${view.parentId}${view.automatic ? ', automatically' : ''})` : ''}`];
  for (const stage of view.status.stageStatuses ?? []) {
    lines.push(`  stage ${stage.name}: ${stage.phase}`);
    for (const wf of stage.workflowExecutions ?? []) {
      lines.push(`    workflow ${wf.key ?? `${wf.workflowRef.namespace ?? 'default'}/${wf.workflowRef.name}`}: ${wf.phase} (${wf.progress ?? ''})`);
      for (const a of wf.actionStatuses ?? []) {
        const record = view.actions.find((x) => x.stage === stage.name && x.workflow === wf.key && x.action === a.name);
        const took = a.startTime && a.completionTime ? ` ${((Date.parse(a.completionTime) - Date.parse(a.startTime)) / 1000).toFixed(1)}s` : '';
        const tries = (a.attempts ?? 0) > 1 ? ` (${a.attempts} attempts)` : '';
        lines.push(`      ${MARK[a.phase] ?? '?'} ${a.name.padEnd(24)} ${(record?.type ?? '').padEnd(18)} ${a.phase}${took}${tries}${a.message ? `: ${a.message}` : ''}`);
      }
    }
  }
  if (view.message && view.phase !== 'Succeeded') lines.push(`message: ${view.message}`);
  for (const r of view.reverts) lines.push(`reverted by ${r.id}${r.automatic ? ' (automatic rollback)' : ''}: ${r.phase}`);
  return lines.join('\n');
}

function renderDryRun(r: PlanRendering & { source?: string }): string {
  const lines = [`Plan ${r.planName}${r.source ? ` (${r.source})` : ''} — dry run; nothing was changed`];
  for (const stage of r.stages) {
    lines.push(`stage ${stage.name}${stage.dependsOn.length ? ` (after ${stage.dependsOn.join(', ')})` : ''}${stage.parallel ? ' [parallel]' : ''}`);
    for (const wf of stage.workflows) {
      lines.push(`  workflow ${wf.key}  params: ${Object.entries(wf.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
      for (const a of wf.actions) {
        lines.push(`    - ${a.name} (${a.type})${a.dependsOn.length ? ` after ${a.dependsOn.join(', ')}` : ''}${a.when ? ` when ${a.when.source} → ${a.when.result}` : ''}`);
        const { name: _n, type: _t, when: _w, rollback: _r, dependsOn: _d, ...body } = a.action;
        for (const line of stringify(body).trimEnd().split('\n')) lines.push(`        ${line}`);
        if (a.rollback) lines.push(`        rollback: ${a.rollback.type}${a.rollback.http ? ` ${a.rollback.http.method ?? 'GET'} ${a.rollback.http.url}` : ''}`);
      }
    }
  }
  return lines.join('\n');
}

/** How often a followed execution is read (the lines show the times the executor recorded, not the read's). */
const FOLLOW_POLL_MS = 250;

/**
 * Follows the execution to its end (running it in this process when `runHere`) and prints it: for people, a line
 * per action transition as it happens, then the summary; with --json only the final document, as scripts expect.
 */
async function followAndPrint(ctx: CommandContext, dr: DrService, id: string, runHere: boolean): Promise<number> {
  const run: { failed: boolean; error?: unknown } = { failed: false };
  const running = runHere ? dr.run(id).then(() => undefined, (error: unknown) => { Object.assign(run, { failed: true, error }); }) : Promise.resolve();
  if (ctx.json) await running;
  const follow = (execution: string, intro?: string): Promise<ExecutionView> => {
    const progress = ctx.json ? null : new ProgressPrinter((line) => ctx.out(line), intro);
    return dr.follow(execution, (view) => {
      progress?.update(view);
      // The runner in this process stopped with an error: stop following and report it.
      if (run.failed) throw run.error;
    }, FOLLOW_POLL_MS);
  };
  const view = await follow(id);
  // rollbackOnFailure: the automatic Revert is part of what the user waits for.
  const automatic = view.reverts.filter((r) => r.automatic);
  const reverts = [];
  for (const r of automatic) reverts.push(await follow(r.id, `\nRolling back automatically (rollbackOnFailure): ${r.id}`));
  await running;
  if (run.failed) throw run.error;
  if (ctx.json) printJson(ctx, reverts.length > 0 ? { ...view, revert: reverts.at(-1) } : view);
  else {
    ctx.out('');
    ctx.out(renderExecution(view));
    for (const r of reverts) ctx.out(`\nRolled back automatically (rollbackOnFailure):\n${renderExecution(r)}`);
  }
  return view.phase === 'Succeeded' ? 0 : 1;
}

/** For people, every problem of an invalid DR file on its own line (--json keeps the one error document). */
async function listingProblems(ctx: CommandContext, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (ctx.json || !(error instanceof DRValidationError || error instanceof DRFileValidationError)) throw error;
    for (const invalid of error instanceof DRFileValidationError ? error.errors : [error]) {
      ctx.err(`error: ${invalid.resource} is invalid (${invalid.issues.length} problem${invalid.issues.length === 1 ? '' : 's'}):`);
      for (const issue of invalid.issues) ctx.err(`  - ${formatIssue(issue)}`);
    }
    ctx.err(`hint: ${error.hint}`);
    return 2;
  }
}

/** `dr cancel` waits this long for the execution to end: a dead runner's lease expires within DEFAULT_LEASE_MS. */
const CANCEL_WAIT_MS = DEFAULT_LEASE_MS + 5_000;

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
      return listingProblems(ctx, async () => {
        const bundle = await (await service(ctx)).validate(await readInput(ctx, file), file);
        const summary = { valid: true, plans: bundle.plans.map((p) => p.metadata.name), workflows: bundle.workflows.map((w) => w.metadata.name) };
        if (ctx.json) printJson(ctx, summary);
        else ctx.out(`${file} is valid: ${summary.plans.length} plan(s), ${summary.workflows.length} workflow(s)`);
        return 0;
      });
    },
  },
  {
    path: ['dr', 'apply'], usage: 'fleetdeck dr apply -f FILE [--json]', summary: 'store DR plans and workflows from a YAML file', flags: ['file'],
    async run(ctx) {
      const file = flagString(ctx.args, 'file') ?? ctx.operands[0];
      if (!file) throw new ValidationError('give a file with -f FILE', `Usage: ${this.usage}`, 'file');
      return listingProblems(ctx, async () => {
        const applied = await (await service(ctx)).apply(await readInput(ctx, file), file);
        if (ctx.json) printJson(ctx, applied);
        else ctx.out([...applied.workflows.map((w) => `drworkflow/${w} applied`), ...applied.plans.map((p) => `drplan/${p} applied`)].join('\n'));
        return 0;
      });
    },
  },
  {
    path: ['dr', 'ls'], usage: 'fleetdeck dr ls [--cluster NAME] [--limit N] [--json]', summary: 'list DR plans from every source (and recent executions)', flags: ['limit', 'cluster'],
    async run(ctx) {
      const dr = await service(ctx);
      const [listing, executions] = await Promise.all([dr.inventory(), dr.listExecutions(flagInt(ctx.args, 'limit') ?? 20)]);
      if (ctx.json) {
        printJson(ctx, { plans: listing.plans, executions, problems: listing.problems });
        return 0;
      }
      for (const p of listing.problems) ctx.err(`warning: plans in ${p.source} not listed: ${p.message}`);
      ctx.out(listing.plans.length === 0 ? 'No DR plans. Store one with `fleetdeck dr apply -f FILE`, or create a DRPlan in the management cluster.' : renderTable(['PLAN', 'NAMESPACE', 'SOURCE', 'STAGES', 'LAST', 'DESCRIPTION'],
        listing.plans.map((p) => [p.name, p.namespace, p.source, p.invalid ? '-' : String(p.stages), p.lastExecution ? `${p.lastExecution.kind} ${p.lastExecution.phase}` : '-', p.invalid ? `INVALID: ${p.invalid}` : p.description])));
      if (executions.length > 0) {
        ctx.out('');
        ctx.out(renderTable(['EXECUTION', 'PLAN', 'KIND', 'PHASE', 'AGE'], executions.map((e) => [e.id, e.planName, `${e.kind}${e.automatic ? ' (auto)' : ''}`, e.phase, age(e.createdAt)])));
      }
      return 0;
    },
  },
  {
    path: ['dr', 'plan'], usage: 'fleetdeck dr plan NAME [--param k=v]... [--cluster NAME] [--json]', summary: 'dry run: print every rendered action', flags: ['param', 'cluster'],
    async run(ctx) {
      const rendering = await (await service(ctx)).dryRun(one(ctx, this.usage, 'plan name'), params(ctx));
      if (ctx.json) printJson(ctx, rendering);
      else ctx.out(renderDryRun(rendering));
      return 0;
    },
  },
  {
    path: ['dr', 'execute'], usage: 'fleetdeck dr execute NAME [--param k=v]... [--cluster NAME] [--detach] [--json]', summary: 'execute a DR plan and follow it', flags: ['param', 'detach', 'cluster'],
    async run(ctx) {
      const dr = await service(ctx);
      const execution = await dr.startExecute(one(ctx, this.usage, 'plan name'), params(ctx));
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
      return view.phase === 'Failed' || view.phase === 'Canceled' ? 1 : 0;
    },
  },
  {
    path: ['dr', 'cancel'], usage: 'fleetdeck dr cancel EXEC [--json]', summary: 'stop an execution cleanly (waits until it has stopped)', flags: [],
    async run(ctx) {
      const id = one(ctx, this.usage, 'execution id');
      const execution = await (await service(ctx)).cancel(id, {
        waitMs: CANCEL_WAIT_MS,
        onWaiting: (e) => {
          if (!ctx.json) ctx.err(`cancellation requested; waiting for its runner (${e.leaseHolder ?? 'unknown'}) to stop. If that process died, ${id} is canceled here when its lease expires (within ${DEFAULT_LEASE_MS / 1000} s).`);
        },
      });
      if (ctx.json) printJson(ctx, execution);
      else if (execution.phase === 'Canceled') ctx.out(`${execution.id} canceled`);
      else if (execution.phase === 'Succeeded' || execution.phase === 'Failed') ctx.out(`${execution.id} had already finished (${execution.phase}); nothing was canceled`);
      else {
        ctx.out(`${execution.id}: cancellation requested, but it is still ${execution.phase} (runner ${execution.leaseHolder ?? 'unknown'})`);
        ctx.err(`hint: its runner stops at its next heartbeat; see \`fleetdeck dr status ${execution.id}\`.`);
      }
      return execution.phase === 'Canceled' ? 0 : 1;
    },
  },
  {
    path: ['dr', 'export-argo'],
    usage: 'fleetdeck dr export-argo NAME [--param k=v]... [--operation Execute|Revert] [--execution EXEC] [--namespace NS] [--cluster NAME] [--output FILE] [--json]',
    summary: 'write the plan as an Argo Workflow (or its Revert Workflow)', flags: ['param', 'output', 'operation', 'execution', 'namespace', 'cluster'],
    async run(ctx) {
      const operation = flagString(ctx.args, 'operation') ?? 'Execute';
      if (operation !== 'Execute' && operation !== 'Revert') throw new ValidationError(`--operation "${operation}" is not Execute or Revert`, 'Give --operation Execute (the default) or --operation Revert, as DRPlanExecution.spec.operationType.', 'operation');
      const execution = flagString(ctx.args, 'execution');
      if (execution && operation !== 'Revert') throw new ValidationError('--execution needs --operation Revert', 'Export the Revert of an execution with --operation Revert --execution EXEC.', 'execution');
      const namespace = flagString(ctx.args, 'namespace');
      const workflow = await (await service(ctx)).exportArgo(one(ctx, this.usage, 'plan name'), {
        operation, overrides: params(ctx), ...(execution ? { execution } : {}), ...(namespace ? { namespace } : {}),
      });
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
