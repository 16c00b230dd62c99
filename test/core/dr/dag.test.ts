/** DAG ordering, levels, cycle detection and the scheduling decision under bounded parallelism and failure policy. */
import { describe, expect, it } from 'vitest';
import { buildGraph, findGraphProblems, GraphError, scheduleNext, type ActionGraph, type FailurePolicy } from '../../../core/dr/dag/index.js';
import type { ActionPhase } from '../../../core/dr/schema/types.js';

const seq = buildGraph([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
// The seed's DAG example: notify-start, then localization and subscription in parallel, then the job.
const seed = buildGraph([
  { name: 'notify-start' },
  { name: 'create-localization', dependsOn: ['notify-start'] },
  { name: 'create-subscription', dependsOn: ['notify-start'] },
  { name: 'run-sync-job', dependsOn: ['create-localization', 'create-subscription'] },
]);

describe('graph', () => {
  it('is sequential without dependsOn: each action waits for the previous one', () => {
    expect(seq.mode).toBe('sequential');
    expect(seq.levels).toEqual([['a'], ['b'], ['c']]);
    expect(seq.dependencies.get('c')).toEqual(['b']);
  });

  it('switches to DAG mode with dependsOn and groups independent actions in one level', () => {
    expect(seed.mode).toBe('dag');
    expect(seed.levels).toEqual([['notify-start'], ['create-localization', 'create-subscription'], ['run-sync-job']]);
  });

  it('treats an action without dependsOn as a root in DAG mode, ordering ties by declaration', () => {
    const g = buildGraph([{ name: 'x', dependsOn: ['z'] }, { name: 'y' }, { name: 'z' }]);
    expect(g.levels).toEqual([['y', 'z'], ['x']]);
  });

  it('levels a wide fan-out', () => {
    const items = [{ name: 'root' }, ...Array.from({ length: 10 }, (_v, i) => ({ name: `n${i}`, dependsOn: ['root'] })), { name: 'join', dependsOn: Array.from({ length: 10 }, (_v, i) => `n${i}`) }];
    const g = buildGraph(items);
    expect(g.levels.map((l) => l.length)).toEqual([1, 10, 1]);
  });

  it('finds cycles, unknown and self dependencies and duplicates; building refuses them', () => {
    const items = [
      { name: 'a', dependsOn: ['b'] },
      { name: 'b', dependsOn: ['c'] },
      { name: 'c', dependsOn: ['a'] },
      { name: 'd', dependsOn: ['d', 'ghost'] },
      { name: 'd' },
    ];
    expect(findGraphProblems(items)).toEqual([
      { kind: 'duplicate', name: 'd', index: 4 },
      { kind: 'self', name: 'd', index: 3 },
      { kind: 'unknown', name: 'd', index: 3, dependency: 'ghost', dependencyIndex: 1 },
      { kind: 'cycle', cycle: ['a', 'b', 'c', 'a'] },
    ]);
    expect(() => buildGraph(items.slice(0, 3))).toThrow(GraphError);
    expect(() => buildGraph(items.slice(0, 3))).toThrow('dependency cycle: a → b → c → a');
  });
});

function step(graph: ActionGraph, phases: Record<string, ActionPhase>, parallelism = 10, failurePolicy: FailurePolicy = 'FailFast') {
  return scheduleNext({ graph, phases, parallelism, failurePolicy });
}

/** Runs the graph to completion with the given outcomes, recording the batches started together. */
function simulate(graph: ActionGraph, outcome: (name: string) => ActionPhase, parallelism: number, policy: FailurePolicy) {
  const phases: Record<string, ActionPhase> = {};
  const batches: string[][] = [];
  for (let guard = 0; guard < 100; guard++) {
    const d = step(graph, phases, parallelism, policy);
    for (const s of d.skip) phases[s] = 'Skipped';
    if (d.done) return { batches, phases, phase: d.phase };
    batches.push(d.start);
    for (const s of d.start) phases[s] = outcome(s);
  }
  throw new Error('did not finish');
}

describe('scheduler', () => {
  it('starts roots first, then both parallel branches, then the join', () => {
    const run = simulate(seed, () => 'Succeeded', 10, 'FailFast');
    expect(run.batches).toEqual([['notify-start'], ['create-localization', 'create-subscription'], ['run-sync-job']]);
    expect(run.phase).toBe('Succeeded');
  });

  it('bounds parallelism, counting running actions', () => {
    const wide = buildGraph(Array.from({ length: 5 }, (_v, i) => ({ name: `n${i}`, dependsOn: i === 0 ? [] : ['n0'] })));
    expect(step(wide, { n0: 'Succeeded' }, 2).start).toEqual(['n1', 'n2']);
    expect(step(wide, { n0: 'Succeeded', n1: 'Running' }, 2).start).toEqual(['n2']);
    expect(step(wide, { n0: 'Succeeded', n1: 'Running', n2: 'Running' }, 2).start).toEqual([]);
    expect(simulate(wide, () => 'Succeeded', 3, 'FailFast').batches).toEqual([['n0'], ['n1', 'n2', 'n3'], ['n4']]);
  });

  it('FailFast: after a failure nothing new starts, running actions finish, the rest is skipped', () => {
    const d = step(seed, { 'notify-start': 'Succeeded', 'create-localization': 'Failed', 'create-subscription': 'Running' });
    expect(d).toEqual({ start: [], skip: ['run-sync-job'], done: false, phase: null });
    const end = step(seed, { 'notify-start': 'Succeeded', 'create-localization': 'Failed', 'create-subscription': 'Succeeded', 'run-sync-job': 'Skipped' });
    expect(end.done).toBe(true);
    expect(end.phase).toBe('Failed');
  });

  it('Continue in a DAG: the failed branch is skipped downstream, independent branches go on', () => {
    const g = buildGraph([{ name: 'a' }, { name: 'b', dependsOn: ['a'] }, { name: 'c' }, { name: 'd', dependsOn: ['c'] }]);
    const run = simulate(g, (n) => (n === 'a' ? 'Failed' : 'Succeeded'), 10, 'Continue');
    expect(run.batches).toEqual([['a', 'c'], ['d']]);
    expect(run.phases).toEqual({ a: 'Failed', b: 'Skipped', c: 'Succeeded', d: 'Succeeded' });
    expect(run.phase).toBe('Failed');
  });

  it('Continue in sequential mode runs the remaining actions after a failure (BCS)', () => {
    const run = simulate(seq, (n) => (n === 'a' ? 'Failed' : 'Succeeded'), 1, 'Continue');
    expect(run.batches).toEqual([['a'], ['b'], ['c']]);
    expect(run.phase).toBe('Failed');
  });

  it('FailFast in sequential mode stops at the failure', () => {
    const run = simulate(seq, (n) => (n === 'b' ? 'Failed' : 'Succeeded'), 1, 'FailFast');
    expect(run.batches).toEqual([['a'], ['b']]);
    expect(run.phases.c).toBe('Skipped');
  });

  it('an action skipped by its own when does not block its dependents', () => {
    const d = step(seed, { 'notify-start': 'Succeeded', 'create-localization': 'Skipped', 'create-subscription': 'Succeeded' });
    expect(d.start).toEqual(['run-sync-job']);
  });

  it('resumes: succeeded actions are never started again', () => {
    const d = step(seed, { 'notify-start': 'Succeeded', 'create-localization': 'Succeeded' });
    expect(d.start).toEqual(['create-subscription']);
  });
});
