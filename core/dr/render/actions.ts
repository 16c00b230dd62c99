/**
 * Rendering a workflow's actions with `.params`, `.planName` and `.outputs` of earlier actions. The dry run renders
 * them all before anything runs (predicting earlier outputs), so a missing key stops the execution up front.
 */
import { compileTree, type CompiledTree } from '../../templates/tree.js';
import { buildGraph, type ActionGraph } from '../dag/graph.js';
import { parseWhen } from '../dag/when.js';
import type { Action, ActionType, DRWorkflow } from '../schema/types.js';
import { predictOutputs, type OutputView } from './outputs.js';
import type { ParamValue } from './params.js';

export interface RenderData {
  planName: string;
  params: Readonly<Record<string, ParamValue>>;
  /** Outputs of actions that already ran, by action name. */
  outputs: Readonly<Record<string, OutputView>>;
}

export interface RenderedAction {
  name: string;
  type: ActionType;
  /** The action with every template rendered, except `when` (kept as written) and `rollback` (see below). */
  action: Action;
  /** The explicit rollback rendered with this action's (predicted) outputs; a Revert renders it again with real ones. */
  rollback: Action | null;
  /** Effective dependencies: the previous action in sequential mode, `dependsOn` in DAG mode. */
  dependsOn: readonly string[];
  /** Topological level (0 = runs first). */
  level: number;
  /** The condition and its value for this rendering (predicted outputs in a dry run); null without `when`. */
  when: { source: string; result: boolean } | null;
}

export interface RenderedWorkflow {
  graph: ActionGraph;
  /** In declaration order. */
  actions: RenderedAction[];
}

const compiled = new WeakMap<Action, { body: CompiledTree; rollback: CompiledTree | null }>();

function compiledFor(action: Action, basePath: string): { body: CompiledTree; rollback: CompiledTree | null } {
  let c = compiled.get(action);
  if (!c) {
    const { when: _when, rollback, ...body } = action;
    c = { body: compileTree(body, basePath), rollback: rollback ? compileTree(rollback, `${basePath}.rollback`) : null };
    compiled.set(action, c);
  }
  return c;
}

function templateData(data: RenderData): Record<string, unknown> {
  return { planName: data.planName, params: data.params, outputs: data.outputs };
}

/** Renders one action's templates (not its when or rollback). Throws TemplateError naming the field path. */
export function renderAction(action: Action, data: RenderData, basePath = `actions.${action.name}`): Action {
  const rendered = compiledFor(action, basePath).body.render(templateData(data)) as Action;
  if (action.when !== undefined) rendered.when = action.when;
  return rendered;
}

/** Renders an action's explicit rollback (null when it has none), e.g. at Revert time with the real outputs. */
export function renderRollback(action: Action, data: RenderData, basePath = `actions.${action.name}`): Action | null {
  const c = compiledFor(action, basePath).rollback;
  return c ? (c.render(templateData(data)) as Action) : null;
}

/** Evaluates an action's `when` (true without one). Throws TemplateError when it reads a missing key. */
export function evaluateWhen(action: Action, data: RenderData, basePath = `actions.${action.name}`): boolean {
  if (action.when === undefined || action.when.trim() === '') return true;
  return parseWhen(action.when, `${basePath}.when`).evaluate({ ...templateData(data), params: { ...data.params }, outputs: { ...data.outputs } });
}

export interface RenderWorkflowOptions {
  planName: string;
  params: Readonly<Record<string, ParamValue>>;
  /** Real outputs of actions that already ran; others are predicted from their rendering. */
  outputs?: Readonly<Record<string, OutputView>>;
  executionId?: string;
  /** The run's scope in Job names (render/outputs.ts jobNameFor). */
  jobScope?: string;
  /** Prefix for field paths in errors, e.g. `failover-web: spec.actions`. Default `spec.actions`. */
  basePath?: string;
}

/** The dry run of a workflow: every action rendered in dependency order; throws on the first template error. */
export function renderWorkflow(workflow: DRWorkflow, options: RenderWorkflowOptions): RenderedWorkflow {
  const actions = workflow.spec.actions;
  const graph = buildGraph(actions);
  const byName = new Map(actions.map((a, i) => [a.name, { action: a, index: i }]));
  const outputs: Record<string, OutputView> = { ...(options.outputs ?? {}) };
  const results = new Map<string, RenderedAction>();
  const base = options.basePath ?? 'spec.actions';
  graph.levels.forEach((level, levelIndex) => {
    for (const name of level) {
      const entry = byName.get(name);
      if (!entry) continue;
      const { action, index } = entry;
      const path = `${base}[${index}]`;
      // Collecting ancestors is linear per action (quadratic over a long chain): only for actions that read outputs.
      const visible = readsOutputs(action) ? pick(outputs, ancestorsOf(graph, name)) : {};
      const data: RenderData = { planName: options.planName, params: options.params, outputs: visible };
      const whenResult = evaluateWhen(action, data, path);
      const rendered = renderAction(action, data, path);
      const own = options.outputs?.[name] ?? (whenResult ? predictOutputs(rendered, options.planName, options.executionId, options.jobScope) : { phase: 'Skipped' as const });
      outputs[name] = own;
      const rollback = renderRollback(action, { ...data, outputs: { ...visible, [name]: own } }, path);
      results.set(name, {
        name,
        type: action.type,
        action: rendered,
        rollback,
        dependsOn: graph.dependencies.get(name) ?? [],
        level: levelIndex,
        when: action.when ? { source: action.when, result: whenResult } : null,
      });
    }
  });
  return { graph, actions: actions.map((a) => results.get(a.name)).filter((r): r is RenderedAction => r !== undefined) };
}

const readsOutputsCache = new WeakMap<Action, boolean>();

/** Whether any template of the action (its body, when or rollback) mentions `outputs`. */
export function readsOutputs(action: Action): boolean {
  let reads = readsOutputsCache.get(action);
  if (reads === undefined) {
    reads = JSON.stringify(action).includes('outputs');
    readsOutputsCache.set(action, reads);
  }
  return reads;
}

/** Everything an action (transitively) waits for: the only outputs it may read. */
export function ancestorsOf(graph: ActionGraph, name: string): Set<string> {
  const out = new Set<string>();
  const queue = [...(graph.dependencies.get(name) ?? [])];
  while (queue.length > 0) {
    const next = queue.pop() as string;
    if (out.has(next)) continue;
    out.add(next);
    queue.push(...(graph.dependencies.get(next) ?? []));
  }
  return out;
}

function pick(outputs: Record<string, OutputView>, names: Set<string>): Record<string, OutputView> {
  const out: Record<string, OutputView> = {};
  for (const n of names) if (outputs[n] !== undefined) out[n] = outputs[n];
  return out;
}

