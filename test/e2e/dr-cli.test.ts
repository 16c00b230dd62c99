import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { openSandboxEngine } from '../../src/sandbox/open-sandbox.js';
import { startHookServer, type HookServer } from '../core/dr/executor/support.js';
import { BIN, fleetdeck } from '../support/cli.js';

interface ActionJson {
  action: string;
  phase: string;
  attempts: number;
  finishedAt: string | null;
  error: string | null;
}
interface ExecutionJson {
  id: string;
  phase: string;
  leaseHolder: string | null;
  actions: ActionJson[];
}

const phases = (e: ExecutionJson): string[] => e.actions.map((a) => `${a.action}:${a.phase}`);

/** A `fleetdeck` process left running: its stdout lines as they come, and a way to wait for one. */
interface Running {
  child: ResultPromise;
  lines: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/**
 * `fleetdeck dr` commands as people and scripts use them, against the sandbox world: validate, cancel (of a running
 * execution, and of one whose process was killed), --detach, and resume after kill -9.
 */
describe('DR commands end to end (sandbox)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-dr-cli-'));
  let engine: Engine;
  let hooks: HookServer;
  const run = (...args: string[]) => fleetdeck(['--data-dir', dataDir, '--sandbox', ...args]);
  const status = async (id: string): Promise<ExecutionJson> => {
    const result = await run('dr', 'status', id, '--json');
    return JSON.parse(result.stdout) as ExecutionJson;
  };

  function start(...args: string[]): Running {
    const child = execa('node', [BIN, '--data-dir', dataDir, '--sandbox', ...args], { reject: false });
    const lines: string[] = [];
    let buffer = '';
    const waiters = new Set<() => void>();
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts);
      for (const w of waiters) w();
    });
    const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> => new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const line of lines) {
          const m = pattern.exec(line);
          if (m) {
            waiters.delete(look);
            clearTimeout(timer);
            resolve(m);
            return true;
          }
        }
        return false;
      };
      const look = (): void => { check(); };
      const timer = setTimeout(() => { waiters.delete(look); reject(new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`)); }, timeoutMs);
      waiters.add(look);
      if (!check()) void child.then(() => setTimeout(() => { if (!check()) { waiters.delete(look); clearTimeout(timer); reject(new Error(`exited without a line matching ${pattern}:\n${lines.join('\n')}`)); } }, 0));
    });
    return { child, lines, waitFor };
  }

  /** The execution id `dr execute` prints first, before it follows the actions. */
  const executionId = async (p: Running, plan: string): Promise<string> => (await p.waitFor(new RegExp(`^Execution (${plan}-[0-9a-f]{6}): Execute of default/${plan}$`)))[1]!;
  const runningLine = (action: string): RegExp => new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\s+main\\s+\\S+\\s+${action}\\s+Running\\s+1\\b`);

  /** Stores a one-stage plan whose workflow calls the hooks in order (each action after the one before it). */
  async function applyChain(plan: string, actions: string[], extra = ''): Promise<void> {
    const file = join(dataDir, `${plan}.yaml`);
    const list = actions.map((a, i) => `    - {name: ${a}, type: HTTP, ${i > 0 ? `dependsOn: [${actions[i - 1]}], ` : ''}timeout: 2m, http: {url: "${hooks.url}/${a}", method: POST}${i === 0 ? extra : ''}}`).join('\n');
    writeFileSync(file, `apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata: {name: ${plan}, namespace: default}
spec:
  actions:
${list}
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata: {name: ${plan}, namespace: default}
spec:
  stages:
    - name: main
      workflows:
        - workflowRef: {name: ${plan}}
`);
    const applied = await run('dr', 'apply', '-f', file);
    expect(applied.exitCode, applied.stderr).toBe(0);
  }

  beforeAll(async () => {
    // This process hosts the sandbox (API servers and the embedded database); the CLI runs below are its clients.
    ({ engine } = await openSandboxEngine(resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir })));
    hooks = await startHookServer();
  }, 240_000);

  afterAll(async () => {
    await hooks?.close();
    await engine?.close();
  });

  it('dr validate: exit 0 and a summary for a good file; exit 2 with every problem on its own line for a bad one, nothing stored', async () => {
    const good = join(dataDir, 'good.yaml');
    writeFileSync(good, `apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata: {name: checked, namespace: default}
spec:
  actions:
    - {name: ping, type: HTTP, http: {url: "${hooks.url}/ping", method: POST}}
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata: {name: checked, namespace: default}
spec:
  stages:
    - name: only
      workflows:
        - workflowRef: {name: checked}
`);
    const ok = await run('dr', 'validate', good);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(`${good} is valid: 1 plan(s), 1 workflow(s)`);
    const okJson = await run('dr', 'validate', good, '--json');
    expect(okJson.exitCode).toBe(0);
    expect(JSON.parse(okJson.stdout)).toEqual({ valid: true, plans: ['checked'], workflows: ['checked'] });

    const bad = join(dataDir, 'bad.yaml');
    writeFileSync(bad, `apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata: {name: broken, namespace: default}
spec:
  failurePolicy: Sometimes
  actions:
    - {name: a, type: HTTP, http: {method: POST}}
    - {name: b, type: Jobb, dependsOn: [zzz]}
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata: {name: broken, namespace: default}
spec:
  stages:
    - name: only
      workflows:
        - workflowRef: {name: broken}
`);
    const invalid = await run('dr', 'validate', bad);
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stdout).toBe('');
    const lines = invalid.stderr.trim().split('\n');
    expect(lines[0]).toBe(`error: DRWorkflow "broken" (${bad}:1) is invalid (4 problems):`);
    expect(lines.slice(1, 5)).toEqual([
      '  - spec.failurePolicy: unsupported value "Sometimes": must be one of FailFast, Continue',
      '  - spec.actions[0].http.url: required',
      expect.stringMatching(/^ {2}- spec\.actions\[1\]\.type: unsupported value "Jobb": must be one of HTTP, Job, /),
      '  - spec.actions[1].dependsOn[0]: unknown action "zzz" in dependsOn of "b"',
    ]);
    expect(lines[5]).toMatch(/^hint: Fix the listed fields/);
    // Every invalid resource of a file is listed, not only the first.
    const twice = join(dataDir, 'twice.yaml');
    writeFileSync(twice, `apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata: {name: first, namespace: default}
spec:
  actions:
    - {name: a, type: HTTP, http: {method: POST}}
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata: {name: second, namespace: default}
spec:
  stages: []
`);
    const both = await run('dr', 'validate', twice);
    expect(both.exitCode).toBe(2);
    const bothLines = both.stderr.trim().split('\n');
    expect(bothLines[0]).toBe(`error: DRWorkflow "first" (${twice}:1) is invalid (1 problem):`);
    expect(bothLines[1]).toBe('  - spec.actions[0].http.url: required');
    expect(bothLines[2]).toMatch(new RegExp(`^error: DRPlan "second" \\(${twice.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8\\) is invalid`));
    expect(bothLines.at(-1)).toMatch(/^hint: Fix the listed fields/);
    // Scripts get the one error document, with every problem in its message.
    const invalidJson = await run('dr', 'validate', bad, '--json');
    expect(invalidJson.exitCode).toBe(2);
    const error = (JSON.parse(invalidJson.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('VALIDATION');
    for (const field of ['spec.failurePolicy', 'spec.actions[0].http.url', 'spec.actions[1].type', 'spec.actions[1].dependsOn[0]']) expect(error.message).toContain(field);
    // A file that cannot be read is a usage error too.
    const missing = await run('dr', 'validate', join(dataDir, 'nope.yaml'));
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    // Validating stores nothing.
    const listed = JSON.parse((await run('dr', 'ls', '--json')).stdout) as { plans: { name: string }[] };
    expect(listed.plans.map((p) => p.name)).not.toContain('checked');
    expect(listed.plans.map((p) => p.name)).not.toContain('broken');
  }, 120_000);

  it('dr cancel stops a running execution: its follower shows the action Canceled, later actions never run, the plan is free again', async () => {
    await applyChain('cli-cancel', ['cc-first', 'cc-slow', 'cc-after']);
    hooks.delay.set('/cc-slow', 60_000);
    const execute = start('dr', 'execute', 'cli-cancel');
    const id = await executionId(execute, 'cli-cancel');
    await execute.waitFor(runningLine('cc-slow'));
    const canceled = await run('dr', 'cancel', id);
    expect(canceled.exitCode, canceled.stderr).toBe(0);
    expect(canceled.stdout.trim()).toBe(`${id} canceled`);
    // Its runner was alive and stopped at once: nothing to wait for.
    expect(canceled.stderr).not.toContain('waiting');
    // The `dr execute` that ran it saw it happen and exits 1.
    const followed = await execute.child;
    expect(followed.exitCode).toBe(1);
    const out = execute.lines.join('\n');
    expect(out).toMatch(/\s+cc-slow\s+Canceled\s+1\s+\d+\.\ds: canceled/);
    expect(out).toMatch(/\s+cc-after\s+Skipped\s+0/);
    expect(out).toContain(`Execution ${id}: Execute of default/cli-cancel — Canceled`);
    const view = await status(id);
    expect(phases(view)).toEqual(['cc-first:Succeeded', 'cc-slow:Canceled', 'cc-after:Skipped']);
    expect(hooks.hits.get('/cc-after')).toBeUndefined();
    // Cancelling again says the same; `dr status` of a Canceled execution exits 1.
    const again = await run('dr', 'cancel', id);
    expect([again.exitCode, again.stdout.trim()]).toEqual([0, `${id} canceled`]);
    expect((await run('dr', 'status', id)).exitCode).toBe(1);
    // The plan is free: a new Execute runs (the hook answers at once now).
    hooks.delay.set('/cc-slow', 0);
    const next = await run('dr', 'execute', 'cli-cancel', '--json');
    expect(next.exitCode, next.stderr).toBe(0);
    const nextId = (JSON.parse(next.stdout) as ExecutionJson).id;
    // A finished execution is not cancelled: exit 1, and it says so.
    const late = await run('dr', 'cancel', nextId);
    expect(late.exitCode).toBe(1);
    expect(late.stdout.trim()).toBe(`${nextId} had already finished (Succeeded); nothing was canceled`);
    expect((await status(nextId)).phase).toBe('Succeeded');
    const unknown = await run('dr', 'cancel', 'no-such-execution');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no-such-execution');
  }, 120_000);

  it('--detach prints the execution id at once; the execution (and a detached revert) finish in the background', async () => {
    await applyChain('cli-detach', ['cd-first', 'cd-slow'], ', rollback: {type: HTTP, http: {url: "URL/cd-undo", method: POST}}'.replace('URL', hooks.url));
    hooks.delay.set('/cd-slow', 8000);
    const detached = await run('dr', 'execute', 'cli-detach', '--detach');
    expect(detached.exitCode, detached.stderr).toBe(0);
    const id = detached.stdout.trim();
    expect(id).toMatch(/^cli-detach-[0-9a-f]{6}$/);
    // The command returned while the execution still had its slow call ahead of it.
    expect(['Pending', 'Running']).toContain((await status(id)).phase);
    let view = await status(id);
    for (const deadline = Date.now() + 30_000; view.phase === 'Pending' || view.phase === 'Running'; view = await status(id)) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(view.phase).toBe('Succeeded');
    expect(phases(view)).toEqual(['cd-first:Succeeded', 'cd-slow:Succeeded']);
    expect([hooks.hits.get('/cd-first'), hooks.hits.get('/cd-slow')]).toEqual([1, 1]);

    const revert = await run('dr', 'revert', id, '--detach', '--json');
    expect(revert.exitCode, revert.stderr).toBe(0);
    const revertId = (JSON.parse(revert.stdout) as { id: string }).id;
    expect(revertId).toMatch(/^cli-detach-revert-[0-9a-f]{6}$/);
    let reverted = await status(revertId);
    for (const deadline = Date.now() + 30_000; reverted.phase === 'Pending' || reverted.phase === 'Running'; reverted = await status(revertId)) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(reverted.phase).toBe('Succeeded');
    expect(hooks.hits.get('/cd-undo')).toBe(1);
    expect(phases(await status(id))).toEqual(['cd-first:RolledBack', 'cd-slow:Succeeded']);
  }, 120_000);

  it('after kill -9 of the runner: cancel finishes the execution once the lease expired; `dr resume` finishes the other without re-running what succeeded', async () => {
    await applyChain('cli-crash', ['cr-first', 'cr-slow', 'cr-after']);
    await applyChain('cli-dead', ['cx-first', 'cx-slow', 'cx-after']);
    hooks.delay.set('/cr-slow', 120_000).set('/cx-slow', 120_000);
    const crash = start('dr', 'execute', 'cli-crash');
    const dead = start('dr', 'execute', 'cli-dead');
    const [crashId, deadId] = await Promise.all([executionId(crash, 'cli-crash'), executionId(dead, 'cli-dead')]);
    await Promise.all([crash.waitFor(runningLine('cr-slow')), dead.waitFor(runningLine('cx-slow'))]);
    crash.child.kill('SIGKILL');
    dead.child.kill('SIGKILL');
    await Promise.all([crash.child, dead.child]);
    const crashBefore = await status(crashId);
    expect(crashBefore.phase).toBe('Running');
    expect(phases(crashBefore)).toEqual(['cr-first:Succeeded', 'cr-slow:Running', 'cr-after:Pending']);

    // Until the lease expires nobody can tell a dead runner from a busy one: resume leaves both alone.
    const early = await run('dr', 'resume', '--json');
    expect(early.exitCode, early.stderr).toBe(0);
    const touched = (JSON.parse(early.stdout) as { id: string }[]).map((r) => r.id);
    expect(touched).not.toContain(crashId);
    expect(touched).not.toContain(deadId);

    // dr cancel says it waits for the runner, and cancels the execution itself once the runner's lease expired.
    const canceled = await run('dr', 'cancel', deadId);
    expect(canceled.exitCode, canceled.stderr).toBe(0);
    expect(canceled.stderr).toContain('cancellation requested; waiting for its runner');
    expect(canceled.stdout.trim()).toBe(`${deadId} canceled`);
    const deadView = await status(deadId);
    expect(deadView.phase).toBe('Canceled');
    expect(phases(deadView)).toEqual(['cx-first:Succeeded', 'cx-slow:Canceled', 'cx-after:Skipped']);
    expect(deadView.leaseHolder).toBeNull();
    expect([hooks.hits.get('/cx-first'), hooks.hits.get('/cx-slow'), hooks.hits.get('/cx-after')]).toEqual([1, 1, undefined]);
    // Its plan is free again.
    hooks.delay.set('/cx-slow', 0);
    const rerun = await run('dr', 'execute', 'cli-dead', '--json');
    expect(rerun.exitCode, rerun.stderr).toBe(0);

    // The crashed execution: `dr resume` (no steal) takes it over once its lease expired and finishes it.
    hooks.delay.set('/cr-slow', 0);
    let resumed = '';
    for (const deadline = Date.now() + 30_000; !resumed.includes(crashId);) {
      expect(Date.now()).toBeLessThan(deadline);
      const result = await run('dr', 'resume');
      expect(result.exitCode, result.stderr).toBe(0);
      resumed = result.stdout;
      if (!resumed.includes(crashId)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(resumed.trim().split('\n')).toContain(`${crashId}: Succeeded`);
    const crashAfter = await status(crashId);
    expect(phases(crashAfter)).toEqual(['cr-first:Succeeded', 'cr-slow:Succeeded', 'cr-after:Succeeded']);
    // What had succeeded did not run again; the call in flight when the runner died was made again.
    const first = (e: ExecutionJson): unknown => e.actions.find((a) => a.action === 'cr-first');
    expect(first(crashAfter)).toEqual(first(crashBefore));
    expect([hooks.hits.get('/cr-first'), hooks.hits.get('/cr-slow'), hooks.hits.get('/cr-after')]).toEqual([1, 2, 1]);
    expect(crashAfter.actions.map((a) => a.attempts)).toEqual([1, 2, 1]);
    expect((await run('dr', 'resume')).stdout.trim()).toBe('Nothing to resume.');
  }, 180_000);
});
