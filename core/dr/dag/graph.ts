/**
 * The dependency graph of a workflow's actions (or a plan's stages). Sequential by default: each action depends on
 * the one before it. As soon as any action has `dependsOn`, the graph is a DAG and only the declared edges count
 * (as in BCS: an action without dependsOn is then a root).
 */

export interface GraphItem {
  name: string;
  dependsOn?: readonly string[] | undefined;
}

export type GraphMode = 'sequential' | 'dag';

export type GraphProblem =
  | { kind: 'duplicate'; name: string; index: number }
  | { kind: 'unknown'; name: string; index: number; dependency: string; dependencyIndex: number }
  | { kind: 'self'; name: string; index: number }
  | { kind: 'cycle'; cycle: string[] };

export interface ActionGraph {
  mode: GraphMode;
  /** Names in declaration order. */
  names: readonly string[];
  /** name → the names it waits for. */
  dependencies: ReadonlyMap<string, readonly string[]>;
  /** name → the names that wait for it. */
  dependents: ReadonlyMap<string, readonly string[]>;
  /** Topological levels: everything in a level can run together; each level only after the previous ones. */
  levels: readonly (readonly string[])[];
  /** Declaration position, used to order ties deterministically. */
  position: ReadonlyMap<string, number>;
}

export function graphMode(items: readonly GraphItem[]): GraphMode {
  return items.some((item) => (item.dependsOn?.length ?? 0) > 0) ? 'dag' : 'sequential';
}

/** Duplicate names, unknown or self dependencies, and cycles (each cycle once, as a path back to its start). */
export function findGraphProblems(items: readonly GraphItem[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.name)) problems.push({ kind: 'duplicate', name: item.name, index });
    seen.add(item.name);
  });
  items.forEach((item, index) => {
    (item.dependsOn ?? []).forEach((dependency, dependencyIndex) => {
      if (dependency === item.name) problems.push({ kind: 'self', name: item.name, index });
      else if (!seen.has(dependency)) problems.push({ kind: 'unknown', name: item.name, index, dependency, dependencyIndex });
    });
  });
  const deps = new Map<string, string[]>();
  for (const item of items) deps.set(item.name, (item.dependsOn ?? []).filter((d) => d !== item.name && seen.has(d)));
  for (const cycle of findCycles(items.map((i) => i.name), deps)) problems.push({ kind: 'cycle', cycle });
  return problems;
}

function findCycles(names: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const s = state.get(dep);
      if (s === 'visiting') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of names) if (!state.has(name)) visit(name);
  return cycles;
}

export function describeProblem(problem: GraphProblem, noun = 'action'): string {
  switch (problem.kind) {
    case 'duplicate':
      return `duplicate ${noun} name "${problem.name}"`;
    case 'unknown':
      return `unknown ${noun} "${problem.dependency}" in dependsOn of "${problem.name}"`;
    case 'self':
      return `${noun} "${problem.name}" depends on itself`;
    case 'cycle':
      return `dependency cycle: ${problem.cycle.join(' → ')}`;
  }
}

export class GraphError extends Error {
  constructor(readonly problems: GraphProblem[]) {
    super(problems.map((p) => describeProblem(p)).join('; '));
  }
}

/** Builds the graph; throws GraphError when the items have problems (validation reports them with field paths first). */
export function buildGraph(items: readonly GraphItem[]): ActionGraph {
  const problems = findGraphProblems(items);
  if (problems.length > 0) throw new GraphError(problems);
  const mode = graphMode(items);
  const names = items.map((i) => i.name);
  const position = new Map(names.map((n, i) => [n, i]));
  const dependencies = new Map<string, string[]>();
  const dependents = new Map<string, string[]>(names.map((n) => [n, []]));
  items.forEach((item, i) => {
    const previous = names[i - 1];
    const deps = mode === 'dag' ? [...new Set(item.dependsOn ?? [])] : previous === undefined ? [] : [previous];
    dependencies.set(item.name, deps);
    for (const d of deps) dependents.get(d)?.push(item.name);
  });
  return { mode, names, dependencies, dependents, levels: levelsOf(names, dependencies, dependents, position), position };
}

/** Kahn's algorithm by levels; ties in declaration order so status output is stable. */
function levelsOf(names: readonly string[], deps: ReadonlyMap<string, readonly string[]>, dependents: ReadonlyMap<string, readonly string[]>, position: ReadonlyMap<string, number>): string[][] {
  const remaining = new Map(names.map((n) => [n, deps.get(n)?.length ?? 0]));
  let level = names.filter((n) => remaining.get(n) === 0);
  const levels: string[][] = [];
  while (level.length > 0) {
    levels.push(level);
    const next: string[] = [];
    for (const name of level) {
      for (const d of dependents.get(name) ?? []) {
        const left = (remaining.get(d) ?? 0) - 1;
        remaining.set(d, left);
        if (left === 0) next.push(d);
      }
    }
    level = next.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  }
  return levels;
}

/** Every name that (transitively) depends on `name`. */
export function descendantsOf(graph: ActionGraph, name: string): Set<string> {
  const out = new Set<string>();
  const queue = [...(graph.dependents.get(name) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (out.has(next)) continue;
    out.add(next);
    queue.push(...(graph.dependents.get(next) ?? []));
  }
  return out;
}
