/**
 * The scheduling decision, as a pure function of the graph and the actions' current phases: which actions start
 * now (bounded parallelism), which can never run and are skipped, and whether the run is over.
 *
 * - A dependency is satisfied when it Succeeded or was Skipped by its own `when` (as in Argo).
 * - DAG mode: when an action fails, everything downstream of it is skipped. Under FailFast nothing new starts
 *   after the first failure (running actions finish); under Continue independent branches go on.
 * - Sequential mode is ordering only: under Continue the next action runs even after a failure (BCS semantics).
 */
import type { ActionPhase } from '../schema/types.js';
import { descendantsOf, type ActionGraph } from './graph.js';

export type FailurePolicy = 'FailFast' | 'Continue';

export interface ScheduleInput {
  graph: ActionGraph;
  /** Current phase per action name; a missing name is Pending. */
  phases: Readonly<Record<string, ActionPhase | undefined>>;
  /** How many actions may run at once (at least 1). */
  parallelism: number;
  failurePolicy: FailurePolicy;
}

export interface ScheduleDecision {
  /** Start these now, in topological then declaration order. */
  start: string[];
  /** Pending actions that can no longer run: record them as Skipped. */
  skip: string[];
  /** Nothing is running and nothing else can start. */
  done: boolean;
  /** When done: Failed if any action failed or was canceled, else Succeeded. */
  phase: 'Succeeded' | 'Failed' | null;
}

const FINISHED: ReadonlySet<ActionPhase> = new Set(['Succeeded', 'Failed', 'Skipped', 'Canceled', 'RolledBack']);
const BROKEN: ReadonlySet<ActionPhase> = new Set(['Failed', 'Canceled']);

export function isFinished(phase: ActionPhase | undefined): boolean {
  return phase !== undefined && FINISHED.has(phase);
}

export function scheduleNext(input: ScheduleInput): ScheduleDecision {
  const { graph, failurePolicy } = input;
  const phase = (name: string): ActionPhase => input.phases[name] ?? 'Pending';
  const broken = graph.names.filter((n) => BROKEN.has(phase(n)));
  const running = graph.names.filter((n) => phase(n) === 'Running').length;
  const skip = new Set<string>();

  if (broken.length > 0 && failurePolicy === 'FailFast') {
    for (const n of graph.names) if (phase(n) === 'Pending') skip.add(n);
  } else if (graph.mode === 'dag') {
    for (const b of broken) for (const d of descendantsOf(graph, b)) if (phase(d) === 'Pending') skip.add(d);
  }

  const satisfied = (dep: string): boolean => {
    const p = phase(dep);
    if (p === 'Succeeded' || (p === 'Skipped' && !skip.has(dep))) return true;
    return graph.mode === 'sequential' && failurePolicy === 'Continue' && isFinished(p);
  };
  const start: string[] = [];
  const slots = Math.max(1, Math.floor(input.parallelism)) - running;
  for (const level of graph.levels) {
    for (const name of level) {
      if (start.length >= slots) break;
      if (phase(name) !== 'Pending' || skip.has(name)) continue;
      if ((graph.dependencies.get(name) ?? []).every(satisfied)) start.push(name);
    }
  }
  const open = graph.names.filter((n) => !isFinished(phase(n)) && !skip.has(n));
  const done = running === 0 && start.length === 0;
  if (done && open.length > 0) {
    // Pending actions whose dependencies can never be satisfied (e.g. a skipped chain): nothing will start them.
    for (const n of open) skip.add(n);
  }
  return {
    start,
    skip: graph.names.filter((n) => skip.has(n)),
    done,
    phase: done ? (broken.length > 0 ? 'Failed' : 'Succeeded') : null,
  };
}
