import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import { startDrHooksServer } from '../../src/sandbox/dr/hooks-server.js';
import type { HooksServer } from '../../src/sandbox/dr/hooks-server.js';
import { openSandboxEngine } from '../../src/sandbox/open-sandbox.js';
import { startHookServer } from '../core/dr/executor/support.js';
import { BIN, fleetdeck } from '../support/cli.js';

interface ActionJson {
  action: string;
  workflow: string;
  attempts: number;
  phase: string;
  outputs?: Record<string, unknown>;
}
interface ExecutionJson {
  id: string;
  phase: string;
  actions: ActionJson[];
  status: { phase: string; stageStatuses: { name: string; workflowExecutions: { workflowRef: { name: string }; phase: string; actionStatuses: { name: string; phase: string; retryCount: number }[] }[] }[] };
  reverts: { id: string; phase: string; automatic: boolean }[];
  revert?: ExecutionJson;
}

const short = (a: ActionJson): string => `${a.action}:${a.phase}`;

/** The sample DR plans the sandbox ships, executed and reverted through the CLI. */
describe('DR plans in the sandbox world', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-dr-'));
  let engine: Engine;
  let hooks: HooksServer;
  let params: string[];
  let switchoverParams: string[];
  const run = (...args: string[]) => fleetdeck(['--data-dir', dataDir, '--sandbox', ...args]);

  beforeAll(async () => {
    // This process hosts the sandbox's API servers (kubectl needs a host); the CLI runs below use them.
    ({ engine } = await openSandboxEngine(resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir })));
    hooks = await startDrHooksServer({ port: 0 });
    params = ['--param', `notifyURL=${hooks.url}/hooks/dr`];
    switchoverParams = [...params, '--param', `verifyURL=${hooks.url}/dr/verify-promotion`];
    const listed = await run('dr', 'ls', '--json');
    expect(listed.exitCode, listed.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await hooks?.close();
    await engine?.close();
  });

  it('a dry run prints every rendered action without running any', async () => {
    const dry = await run('dr', 'plan', 'failover-web', ...params);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`${hooks.url}/hooks/dr/start`);
    expect(hooks.hits.size).toBe(0);
  });

  it('executes a plan to Succeeded with every action\'s outputs recorded as BCS records them', async () => {
    const result = await run('dr', 'execute', 'failover-web', ...params, '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    const execution = JSON.parse(result.stdout) as ExecutionJson;
    expect(execution.phase).toBe('Succeeded');
    expect(execution.actions.map(short)).toEqual(expect.arrayContaining(['notify-start:Succeeded', 'run-sync-job:Succeeded', 'notify-done:Succeeded']));
    const byName = (n: string) => execution.actions.find((a) => a.action === n)!;
    expect(byName('run-sync-job').outputs).toHaveProperty('jobRef');
    expect(byName('create-localization').outputs).toHaveProperty('localizationRef');
    expect(byName('create-subscription').outputs).toHaveProperty('subscriptionRef');
    expect(byName('notify-start').outputs).toHaveProperty('httpResponse');
    const status = JSON.parse((await run('dr', 'status', execution.id, '--json')).stdout) as ExecutionJson;
    expect(status.phase).toBe('Succeeded');
    // BCS's DRPlanExecution.status shape: stageStatuses → workflowExecutions → actionStatuses.
    expect(status.status.phase).toBe('Succeeded');
    const [workflow] = status.status.stageStatuses[0]!.workflowExecutions;
    expect(workflow!.workflowRef.name).toBe('failover-web');
    expect(workflow!.actionStatuses.map((a) => `${a.name}:${a.phase}:${a.retryCount}`)).toEqual(expect.arrayContaining(['notify-start:Succeeded:0', 'run-sync-job:Succeeded:0']));
  }, 120_000);

  it('a plan that fails half way exits 1 and rolls back on its own; a second revert is refused', async () => {
    const failed = await run('dr', 'execute', 'switchover-db', ...switchoverParams, '--json');
    expect(failed.exitCode).toBe(1);
    const execution = JSON.parse(failed.stdout) as ExecutionJson;
    expect(execution.phase).toBe('Failed');
    expect(execution.actions.map(short)).toEqual(['announce:RolledBack', 'maintenance-page:RolledBack', 'localize-db-endpoint:RolledBack', 'verify-promotion:Failed', 'switch-traffic:Skipped']);
    // The Revert rollbackOnFailure started: last succeeded action first, the announcement's explicit rollback last.
    expect(execution.reverts).toEqual([{ id: execution.revert!.id, phase: 'Succeeded', automatic: true }]);
    expect(execution.revert!.actions.map(short)).toEqual(['localize-db-endpoint:Succeeded', 'maintenance-page:Succeeded', 'announce:Succeeded']);
    expect(hooks.hits.get('POST /hooks/dr/cancelled')).toBe(1);
    const again = await run('dr', 'revert', execution.id);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`already reverted by ${execution.revert!.id}`);
    expect(hooks.hits.get('POST /hooks/dr/cancelled')).toBe(1);
    const text = await run('dr', 'status', execution.id);
    expect(text.stdout).toContain(`reverted by ${execution.revert!.id} (automatic rollback): Succeeded`);
  }, 120_000);

  it('lists and runs plans that live as DRPlan custom resources in devops, including one applied with kubectl', async () => {
    const listed = JSON.parse((await run('dr', 'ls', '--json')).stdout) as { plans: { name: string; source: string }[] };
    expect(listed.plans.map((p) => `${p.name}@${p.source}`).sort()).toEqual(['failover-web@stored', 'regional-drill@cluster/devops', 'switchover-db@stored']);
    const file = join(dataDir, 'kubectl-plan.yaml');
    writeFileSync(file, `apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata: {name: ping-hooks, namespace: default}
spec:
  actions:
    - name: ping
      type: HTTP
      http: {url: "${hooks.url}/hooks/dr/kubectl", method: POST}
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata: {name: kubectl-drill, namespace: default}
spec:
  description: applied with kubectl
  stages:
    - name: only
      workflows:
        - workflowRef: {name: ping-hooks}
`);
    const applied = await execa('kubectl', ['--kubeconfig', join(dataDir, 'sandbox', 'kubeconfig'), '--context', 'k3d-devops', 'apply', '-f', file], { reject: false });
    expect(applied.exitCode, applied.stderr).toBe(0);
    const text = await run('dr', 'ls');
    expect(text.stdout).toMatch(/kubectl-drill\s+default\s+cluster\/devops\s+1\s+-\s+applied with kubectl/);
    const executed = await run('dr', 'execute', 'kubectl-drill', '--json');
    expect(executed.exitCode, executed.stderr).toBe(0);
    expect(hooks.hits.get('POST /hooks/dr/kubectl')).toBe(1);
    // The sandbox's sample custom-resource plan: one workflow used twice (a run per region), then a Job.
    const drill = await run('dr', 'execute', 'regional-drill', ...params, '--json');
    expect(drill.exitCode, drill.stderr).toBe(0);
    const view = JSON.parse(drill.stdout) as ExecutionJson;
    expect(view.status.stageStatuses.map((s) => [s.name, s.workflowExecutions.map((w) => `${w.workflowRef.name}:${w.phase}`)])).toEqual([
      ['announce', ['announce-region:Succeeded', 'announce-region:Succeeded']], ['check', ['check-dr-site:Succeeded']],
    ]);
    expect(['east', 'west'].map((r) => hooks.hits.get(`POST /hooks/dr/drill/${r}`))).toEqual([1, 1]);
  }, 120_000);

  it('follows an execution for people: a line per action transition as it happens, then the summary', async () => {
    // A DAG of HTTP calls (one slow) and a Job the sandbox runs: first, then slow and job side by side, then last.
    const slow = await startHookServer();
    slow.delay.set('/progress/slow', 1500);
    const file = join(dataDir, 'progress-drill.yaml');
    writeFileSync(file, `apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRWorkflow
metadata: {name: progress-drill, namespace: default}
spec:
  actions:
    - {name: first, type: HTTP, http: {url: "${slow.url}/progress/first", method: POST}}
    - {name: slow, type: HTTP, dependsOn: [first], http: {url: "${slow.url}/progress/slow", method: POST}}
    - name: job
      type: Job
      dependsOn: [first]
      timeout: 1m
      job:
        namespace: default
        template:
          spec:
            backoffLimit: 0
            template:
              spec:
                restartPolicy: Never
                containers: [{name: sync, image: busybox:1.36, command: ["sh", "-c", "echo sync"]}]
    - {name: last, type: HTTP, dependsOn: [slow, job], http: {url: "${slow.url}/progress/last", method: POST}}
---
apiVersion: dr.bkbcs.tencent.com/v1alpha1
kind: DRPlan
metadata: {name: progress-drill, namespace: default}
spec:
  stages:
    - name: drill
      workflows:
        - workflowRef: {name: progress-drill}
`);
    try {
      expect((await run('dr', 'apply', '-f', file)).exitCode).toBe(0);
      // Each line is timed as it arrives, to tell lines printed as things happen from lines printed at the end.
      const child = execa('node', [BIN, '--data-dir', dataDir, '--sandbox', 'dr', 'execute', 'progress-drill'], { reject: false });
      const arrived: { line: string; at: number }[] = [];
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) arrived.push({ line, at: Date.now() });
      });
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const lines = arrived.map((a) => a.line);
      const id = /^Execution (progress-drill-[0-9a-f]{6}): Execute of default\/progress-drill$/.exec(lines[0] ?? '')?.[1];
      expect(id, lines.join('\n')).toBeDefined();
      expect(lines[1]).toMatch(/^TIME\s+STAGE\s+WORKFLOW\s+ACTION\s+PHASE\s+ATTEMPTS\s+DETAIL$/);
      // TIME STAGE WORKFLOW ACTION PHASE ATTEMPTS [DETAIL]
      const transitions = arrived.map((a) => ({ ...a, m: /^\d\d:\d\d:\d\d {2}(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)(?:\s+(.*))?$/.exec(a.line) }))
        .filter((t) => t.m !== null).map((t) => ({ at: t.at, stage: t.m![1], workflow: t.m![2], action: t.m![3], phase: t.m![4], attempts: t.m![5], detail: t.m![6] ?? '' }));
      expect(new Set(transitions.map((t) => `${t.stage} ${t.workflow}`))).toEqual(new Set(['drill default/progress-drill']));
      // Each action once Running, then once Succeeded (with its duration), and nothing else.
      for (const action of ['first', 'slow', 'job', 'last']) {
        expect(transitions.filter((t) => t.action === action).map((t) => `${t.phase} ${t.attempts}`), action).toEqual(['Running 1', 'Succeeded 1']);
        expect(transitions.find((t) => t.action === action && t.phase === 'Succeeded')!.detail).toMatch(/^\d+\.\ds$/);
      }
      const at = (action: string, phase: string): number => transitions.findIndex((t) => t.action === action && t.phase === phase);
      // In the order the DAG allows.
      for (const next of ['slow', 'job']) expect(at('first', 'Succeeded')).toBeLessThan(at(next, 'Running'));
      for (const before of ['slow', 'job']) expect(at(before, 'Succeeded')).toBeLessThan(at('last', 'Running'));
      // Printed while it ran: the slow call's Running line came well before its Succeeded line.
      const slowRunning = transitions[at('slow', 'Running')]!;
      const slowDone = transitions[at('slow', 'Succeeded')]!;
      expect(slowDone.at - slowRunning.at).toBeGreaterThan(1000);
      // Then the summary, as before.
      const summary = lines.findIndex((l) => l === `Execution ${id}: Execute of default/progress-drill — Succeeded`);
      expect(summary).toBeGreaterThan(at('last', 'Succeeded'));
      expect(lines.slice(summary).join('\n')).toMatch(/✓ slow\s+HTTP\s+Succeeded/);
      expect(['first', 'slow', 'last'].map((n) => slow.hits.get(`/progress/${n}`))).toEqual([1, 1, 1]);
    } finally {
      await slow.close();
    }
  }, 120_000);

  it('exports the plan as an Argo Workflow', async () => {
    const argo = await run('dr', 'export-argo', 'failover-web', ...params);
    expect(argo.exitCode, argo.stderr).toBe(0);
    expect(argo.stdout).toContain('kind: Workflow');
    expect(argo.stdout).toContain('dag:');
    expect(argo.stdout).toContain('{{workflow.parameters.notifyURL}}/start');
    const revert = await run('dr', 'export-argo', 'failover-web', '--operation', 'Revert', '--json');
    expect(revert.exitCode, revert.stderr).toBe(0);
    expect((JSON.parse(revert.stdout) as { metadata: { generateName: string } }).metadata.generateName).toBe('failover-web-revert-');
  });
});
