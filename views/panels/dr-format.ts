/**
 * Words, marks and colours for DR phases, durations, and the text of the DR overlays (dry run, action details).
 * Every phase is written out, so a NO_COLOR terminal reads the same as a coloured one.
 */
import { createRequire } from 'node:module';
import type { PlanSummary } from '../../core/dr/dr-service.js';
import type { PlanRendering, RenderedStage } from '../../core/dr/render/plan.js';
import type { RenderedAction } from '../../core/dr/render/actions.js';
import type { Action } from '../../core/dr/schema/types.js';
import type { ActionStatusRecord, ExecutionRecord } from '../../core/dr/store/types.js';

/**
 * YAML for the overlays, loaded when an overlay first shows some: the parser costs 25-35 ms to load, which the
 * cockpit's start (this module loads with the panel registry) would otherwise pay. `yaml` is CommonJS for Node.
 */
let yamlStringify: ((value: unknown, options: { lineWidth: number }) => string) | null = null;
function stringify(value: unknown, options: { lineWidth: number }): string {
  yamlStringify ??= (createRequire(import.meta.url)('yaml') as typeof import('yaml')).stringify;
  return yamlStringify(value, options);
}

export const PHASE_TONE: Record<string, string> = {
  Pending: 'gray', Running: 'yellow', Succeeded: 'green', Failed: 'red', Skipped: 'gray', Canceled: 'magenta', RolledBack: 'blue',
};

export const PHASE_MARK: Record<string, string> = {
  Pending: '·', Running: '…', Succeeded: '✓', Failed: '✗', Skipped: '-', Canceled: '⊘', RolledBack: '↺',
};

/** From `fromIso` to `toIso` (or to `now` while it runs): 0.4s, 12s, 3m05s, 1h02m. Empty before it started. */
export function duration(fromIso: string | null, toIso: string | null, now: number): string {
  if (!fromIso) return '';
  const end = toIso ? Date.parse(toIso) : now;
  const s = Math.max(0, (end - Date.parse(fromIso)) / 1000);
  if (!Number.isFinite(s)) return '?';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Local time, `MM-DD HH:MM:SS`. */
export function clock(iso: string | null): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '?';
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function lastExecutionCell(plan: PlanSummary): string {
  const invalid = (plan as { invalid?: string }).invalid;
  if (invalid) return `invalid: ${invalid}`;
  const last = plan.lastExecution;
  return last ? `${last.phase} (${last.kind} ${last.id})` : 'never executed';
}

export function executionDuration(e: ExecutionRecord, now: number): string {
  return duration(e.startedAt, e.finishedAt, now) || (e.phase === 'Pending' ? 'waiting' : '-');
}

/** `3/6 succeeded · 1 failed`: how far an execution's actions are. */
export function progressOf(actions: readonly ActionStatusRecord[]): string {
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.phase, (counts.get(a.phase) ?? 0) + 1);
  const done = (counts.get('Succeeded') ?? 0) + (counts.get('RolledBack') ?? 0);
  const rest = [...counts].filter(([phase]) => phase !== 'Succeeded' && phase !== 'RolledBack').map(([phase, n]) => `${n} ${phase.toLowerCase()}`);
  return [`${done}/${actions.length} done`, ...rest].join(' · ');
}

/** An action without the fields the heading already shows, as YAML lines. */
function actionBody(action: Action): string[] {
  const { name: _name, type: _type, dependsOn: _dependsOn, when: _when, rollback: _rollback, ...body } = action;
  return stringify(body, { lineWidth: 0 }).trimEnd().split('\n');
}

const indent = (lines: readonly string[], by: string): string[] => lines.map((line) => `${by}${line}`);

function renderedActionLines(a: RenderedAction, showRollback: boolean): string[] {
  const after = a.dependsOn.length > 0 ? ` · after ${a.dependsOn.join(', ')}` : '';
  const when = a.when ? ` · when ${a.when.source} → ${a.when.result ? 'runs' : 'skipped'}` : '';
  const lines = [`${a.name} (${a.type})${after}${when}`, ...indent(actionBody(a.action), '  ')];
  if (showRollback && a.rollback) lines.push('  rollback:', ...indent(actionBody(a.rollback), '    '), `    type: ${a.rollback.type}`);
  return lines;
}

function stageHeading(stage: RenderedStage): string {
  const after = stage.dependsOn.length > 0 ? ` · after ${stage.dependsOn.join(', ')}` : '';
  return `stage ${stage.name}${after}${stage.parallel ? ' · workflows in parallel' : ''} · on failure ${stage.failurePolicy}`;
}

/** Every rendered action of a plan's dry run, stage by stage. */
export function dryRunLines(rendering: PlanRendering): string[] {
  const lines: string[] = [];
  for (const stage of rendering.stages) {
    lines.push(stageHeading(stage));
    for (const wf of stage.workflows) {
      const params = Object.entries(wf.params).map(([k, v]) => `${k}=${String(v)}`).join(', ');
      lines.push(`  workflow ${wf.key} · ${wf.failurePolicy}${params ? ` · ${params}` : ''}`);
      for (const a of wf.actions) lines.push(...indent(renderedActionLines(a, true), '    '));
    }
  }
  return lines;
}

export function findRendered(rendering: PlanRendering, status: Pick<ActionStatusRecord, 'stage' | 'workflow' | 'action'>): RenderedAction | undefined {
  const wf = rendering.stages.find((s) => s.name === status.stage)?.workflows.find((w) => w.key === status.workflow);
  return wf?.actions.find((a) => a.name === status.action);
}

const INVERSE: Record<string, string> = {
  HTTP: 'nothing (an HTTP action has no automatic inverse; it is skipped)',
  Job: 'delete the Job recorded in jobRef',
  Localization: 'delete the Localization recorded in localizationRef',
  Globalization: 'delete the Globalization recorded in globalizationRef',
  HelmChart: 'delete the HelmChart recorded in helmChartRef',
  Subscription: 'delete the Subscription recorded in subscriptionRef',
  KubernetesResource: 'delete the resource recorded in resourceRef',
};

/** The details of one action of an execution: its state, error, outputs, and how it renders. */
export function actionDetailLines(execution: ExecutionRecord, status: ActionStatusRecord, rendered: RenderedAction | undefined,
  renderingNote: string, now: number): string[] {
  const time = duration(status.startedAt, status.finishedAt, now);
  const lines = [
    `${status.phase} · ${status.attempts} attempt(s)${time ? ` · ${status.phase === 'Running' ? 'running for ' : ''}${time}` : ''} · ${status.type}`,
    `execution ${execution.id} (${execution.kind}) · stage ${status.stage} · workflow ${status.workflow}`,
    `started ${clock(status.startedAt)} · finished ${clock(status.finishedAt)}`,
  ];
  if (status.error) lines.push(`error: ${status.error}`);
  const outputs = Object.keys(status.outputs ?? {}).length > 0 ? stringify(status.outputs, { lineWidth: 0 }).trimEnd().split('\n') : ['(none yet)'];
  lines.push('', 'outputs', ...indent(outputs, '  '), '');
  if (!rendered) {
    lines.push(`rendered action: ${renderingNote}`);
    return lines;
  }
  if (execution.kind === 'Revert') {
    lines.push(`undoes this action of ${execution.parentId ?? 'its Execute'}:`);
    if (rendered.rollback) lines.push(`  rollback (${rendered.rollback.type}, ${renderingNote}):`, ...indent(actionBody(rendered.rollback), '    '));
    else lines.push(`  automatic inverse: ${INVERSE[status.type] ?? 'none'}`);
    lines.push('');
  }
  lines.push(`rendered action (${renderingNote}):`, ...indent(renderedActionLines(rendered, execution.kind !== 'Revert'), '  '));
  return lines;
}

/** Hard-wraps lines to the width, so an overlay scrolls through everything instead of cutting long values. */
export function wrapLines(lines: readonly string[], width: number): string[] {
  const size = Math.max(10, width);
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= size) { out.push(line); continue; }
    const lead = /^ */.exec(line)?.[0].length ?? 0;
    const pad = ' '.repeat(Math.min(lead + 2, Math.floor(size / 2)));
    out.push(line.slice(0, size));
    for (let i = size; i < line.length; i += size - pad.length) out.push(pad + line.slice(i, i + size - pad.length));
  }
  return out;
}
