import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterInstallSummary, InstallView } from '../../../core/dataplane/index.js';
import { LENS_MANAGED_STAGES } from '../../../core/dataplane/index.js';
import { BIN, fleetdeck } from '../../support/cli.js';

/** The installs commands through the real binary, on an embedded database (run `npm run build` first). */
describe('fleetdeck installs / daemon on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-installs-cli-'));
  const env = { FLEETDECK_DATA_DIR: join(dir, 'data'), HOME: dir, FLEETDECK_SECRET_KEY: '', KUBECONFIG: join(dir, 'no-kubeconfig') };
  const run = (...args: string[]) => fleetdeck(args, { env });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ls --json and retry --json carry every stage of the current task; daemon --runner/--concurrency choose how it runs', async () => {
    const added = await run('dataplane', 'add', 'gpu-x', '--context', 'ctx-nowhere', '--storage-mode', 'lens-managed');
    expect(added.exitCode, added.stderr).toBe(0);
    const deployed = await run('deploy', 'gpu-x', '--json');
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const listed = JSON.parse((await run('installs', 'ls', '--json')).stdout) as ClusterInstallSummary[];
    expect(listed).toHaveLength(1);
    // No worker yet: the task is queued and the cluster keeps its status until an installer starts (seed 000).
    expect(listed[0]).toMatchObject({ name: 'gpu-x', dataplaneStatus: 'pending', storageMode: 'lens-managed', task: { status: 'pending', maxRetries: 3 } });
    expect(listed[0]!.task!.stages.map((s) => `${s.name}:${s.status}`)).toEqual(LENS_MANAGED_STAGES.map((n) => `${n}:pending`));
    const table = await run('installs', 'ls');
    expect(table.stdout).toMatch(new RegExp(`gpu-x\\s+manual\\s+lens-managed\\s+pending\\s+${listed[0]!.task!.id}\\s+queued\\s+0/9`));
    const shown = await run('installs', 'show', 'gpu-x');
    expect(shown.stdout).toMatch(/^Task:\s+\d+ queued$/m);

    const bad = await run('daemon', '--runner', 'kubelet');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('error: --runner "kubelet" is not an install runner');

    // The context is in no kubeconfig: the daemon's worker fails the task at once (no retries), closing its stage.
    const daemon = execa('node', [BIN, 'daemon', '--runner', 'process', '--concurrency', '2'], { env: { ...env, FLEETDECK_MANAGEMENT_CONTEXT: '' }, extendEnv: true, reject: false });
    let view: InstallView | null = null;
    try {
      for (let i = 0; i < 600; i += 1) {
        view = JSON.parse((await run('installs', 'show', 'gpu-x', '--json')).stdout) as InstallView;
        if (view.task?.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      daemon.kill('SIGTERM');
    }
    const ended = await daemon;
    expect(String(ended.stderr)).toMatch(/fleetdeck daemon running \(worker \S+, process runner, 2 installs at once\)/);
    expect(view?.task).toMatchObject({ status: 'failed', retryCount: 0, runner: 'process' });
    expect(view!.task!.stages[0]).toMatchObject({ name: 'StageOperators', status: 'failed' });

    const retried = await run('installs', 'retry', 'gpu-x', '--json');
    expect(retried.exitCode, retried.stderr).toBe(0);
    const again = JSON.parse(retried.stdout) as InstallView;
    // Re-queued: the cluster stays failed until a worker starts the task again.
    expect(again).toMatchObject({ cluster: 'gpu-x', dataplaneStatus: 'failed', task: { status: 'pending', retryCount: 0 } });
    expect(again.task!.stages.map((s) => s.status)).toEqual(LENS_MANAGED_STAGES.map(() => 'pending'));
    expect(again.history.map((h) => h.action)).toEqual(['retry', 'deploy']);
  }, 120_000);
});
