import { afterEach, describe, expect, it } from 'vitest';
import { HelmCli, SecretBox, dataplaneFor } from '../../../core/dataplane/index.js';
import type { InstallScheduler } from '../../../core/dataplane/index.js';
import type { World } from './world.js';
import { addTarget, installEnded, openWorld, waitForInstall } from './world.js';

/** Failures outside the stages (reaching the cluster) close the stage the claim started, and burn no retries. */
describe('install failures outside the stages (pglite)', () => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await world?.close();
    world = null;
  });

  it('connection data gone after the trigger: the task fails at once, its first stage failed (not running), no retries spent', async () => {
    world = await openWorld('pglite');
    await addTarget(world, 'gpu-lost', 'external');
    await world.dataplane.service.trigger('gpu-lost');
    await world.engine.db.query(`UPDATE dataplane_clusters SET kube_server = NULL, kube_credentials_enc = NULL WHERE name = 'gpu-lost'`);
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    const view = await waitForInstall(world, 'gpu-lost', installEnded);
    expect(view.dataplaneStatus).toBe('failed');
    expect(view.task).toMatchObject({ status: 'failed', retryCount: 0, errorMessage: 'StageInit: cluster "gpu-lost" has no connection data' });
    expect(view.task!.stages.map((s) => s.status)).toEqual(['failed', 'pending', 'pending', 'pending', 'pending']);
    expect(view.task!.stages[0]!.error).toBe('cluster "gpu-lost" has no connection data');
    expect(view.task!.stages[0]!.finishedAt).not.toBeNull();
    expect(view.history[0]?.status).toBe('failed');
    expect(world.helm.calls()).toEqual([]);
  });

  it('a worker whose key cannot decrypt the credentials fails the task at once and closes the stage', async () => {
    world = await openWorld('pglite');
    await addTarget(world, 'gpu-wrongkey', 'external');
    await world.dataplane.service.trigger('gpu-wrongkey');
    scheduler = dataplaneFor(world.engine, {
      secrets: SecretBox.fromKey('e'.repeat(64)), helm: new HelmCli({ binary: world.helm.bin, env: world.helm.env }),
      scheduler: { pollMs: 1000, staleMs: 3000, backoffBaseMs: 100 },
    }).scheduler();
    await scheduler.start();
    const view = await waitForInstall(world, 'gpu-wrongkey', installEnded);
    expect(view.task).toMatchObject({ status: 'failed', retryCount: 0 });
    expect(view.task!.errorMessage).toMatch(/stored credentials cannot be decrypted with FLEETDECK_SECRET_KEY/);
    expect(view.task!.stages.some((s) => s.status === 'running')).toBe(false);
    expect(view.task!.stages[0]!.status).toBe('failed');
  });
});
