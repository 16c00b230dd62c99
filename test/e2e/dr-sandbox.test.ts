import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDrHooksServer } from '../../src/sandbox/dr/hooks-server.js';
import type { HooksServer } from '../../src/sandbox/dr/hooks-server.js';
import { fleetdeck } from '../support/cli.js';

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
}

const short = (a: ActionJson): string => `${a.action}:${a.phase}`;

/** The sample DR plans the sandbox ships, executed and reverted through the CLI. */
describe('DR plans in the sandbox world', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-dr-'));
  let hooks: HooksServer;
  let params: string[];
  let switchoverParams: string[];
  const run = (...args: string[]) => fleetdeck(['--data-dir', dataDir, '--sandbox', ...args]);

  beforeAll(async () => {
    hooks = await startDrHooksServer({ port: 0 });
    params = ['--param', `notifyURL=${hooks.url}/hooks/dr`];
    switchoverParams = [...params, '--param', `verifyURL=${hooks.url}/dr/verify-promotion`];
    const listed = await run('dr', 'ls', '--json');
    expect(listed.exitCode, listed.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => hooks?.close());

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
  }, 120_000);

  it('a plan that fails half way exits 1, and its revert undoes the succeeded actions in reverse order', async () => {
    const failed = await run('dr', 'execute', 'switchover-db', ...switchoverParams, '--json');
    expect(failed.exitCode).toBe(1);
    const execution = JSON.parse(failed.stdout) as ExecutionJson;
    expect(execution.phase).toBe('Failed');
    const succeeded = execution.actions.filter((a) => a.phase === 'Succeeded').map((a) => a.action);
    expect(succeeded.length).toBeGreaterThan(0);
    const reverted = await run('dr', 'revert', execution.id, '--json');
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    const revert = JSON.parse(reverted.stdout) as ExecutionJson;
    expect(revert.phase).toBe('Succeeded');
    const after = JSON.parse((await run('dr', 'status', execution.id, '--json')).stdout) as ExecutionJson;
    const rolledBack = after.actions.filter((a) => a.phase === 'RolledBack').map((a) => a.action);
    expect(rolledBack.length).toBeGreaterThan(0);
    expect(rolledBack.every((name) => succeeded.includes(name))).toBe(true);
  }, 120_000);

  it('exports the plan as an Argo Workflow', async () => {
    const argo = await run('dr', 'export-argo', 'failover-web', ...params);
    expect(argo.exitCode, argo.stderr).toBe(0);
    expect(argo.stdout).toContain('kind: Workflow');
    expect(argo.stdout).toContain('dag:');
  });
});
