import { afterEach, describe, expect, it } from 'vitest';
import { HelmCli, RELEASES } from '../../../core/dataplane/index.js';
import { startInstallWorker } from '../../../src/daemon/dataplane-options.js';
import type { InstallWorker } from '../../../src/daemon/dataplane-options.js';
import { openTestEngine } from '../../support/engine.js';
import { addTarget, installEnded, openWorld, waitForInstall } from '../../core/dataplane/world.js';
import type { World } from '../../core/dataplane/world.js';

/** The install scheduler the cockpit runs in its own process (src/tui/index.ts starts it; quitting stops it). */
describe('the in-process install worker (the cockpit\'s)', () => {
  let world: World | null = null;
  let worker: InstallWorker | null = null;
  afterEach(async () => {
    await worker?.stop();
    await world?.close();
    worker = null;
    world = null;
  });

  it('is not started for a read-only engine', async () => {
    const test = await openTestEngine('pglite', { readonly: true });
    try {
      expect(startInstallWorker(test.engine)).toBeNull();
    } finally {
      await test.close();
    }
  });

  it('runs what `d` queued with no daemon anywhere, and on quit hands a running install back untouched', async () => {
    world = await openWorld('pglite', { helmEnv: { FAKE_HELM_DELAY_MS: '4000', FAKE_HELM_DELAY_RELEASE: RELEASES.applications } });
    const options = { secrets: world.secrets, helm: new HelmCli({ binary: world.helm.bin, env: world.helm.env }), pollMs: 100, timeouts: { default: 30_000 },
      scheduler: { pollMs: 1000, staleMs: 3000 } };
    await addTarget(world, 'gpu-cockpit', 'external');
    worker = startInstallWorker(world.engine, options);
    expect(worker).not.toBeNull();
    const { taskId } = await world.dataplane.service.trigger('gpu-cockpit');
    await waitForInstall(world, 'gpu-cockpit', () => world!.helm.releases()[`lens-gpu-cockpit/${RELEASES.applications}`]?.status === 'pending-install');
    // Quit while helm installs the applications: the task goes back to pending at the stage it was in.
    await worker!.stop();
    worker = null;
    const handedBack = await world.dataplane.service.show('gpu-cockpit');
    expect(handedBack.task).toMatchObject({ id: taskId, status: 'pending', workerId: null, retryCount: 0 });
    expect(handedBack.task!.stages.map((s) => s.status)).toEqual(['skipped', 'completed', 'skipped', 'pending', 'pending']);
    // The next cockpit (or daemon) resumes it from there; helm's interrupted install is unstuck first.
    worker = startInstallWorker(world.engine, options);
    const done = await waitForInstall(world, 'gpu-cockpit', installEnded);
    expect(done.dataplaneStatus).toBe('deployed');
    expect(done.task!.stages.find((s) => s.name === 'StageDatabaseMigration')!.attempts).toBe(1);
    expect(done.task!.stages.find((s) => s.name === 'StageApplications')!.output).toContain('was left pending-install');
  }, 90_000);
});
