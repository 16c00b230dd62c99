import { afterEach, describe, expect, it } from 'vitest';
import { HelmCli, dataplaneFor } from '../../../core/dataplane/index.js';
import type { InstallScheduler, InstallView } from '../../../core/dataplane/index.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { fleetdeck } from '../../support/cli.js';
import type { World } from './world.js';
import { addTarget, installEnded, openWorld, waitForInstall } from './world.js';

/**
 * The scheduler's fallback poll is set to 60 s here, so a claim within a couple of seconds can only come from the
 * NOTIFY a trigger sends. The bound is generous (the budget is p99 ≤ 250 ms) so a busy machine does not flake it.
 */
const SLOW_POLL = { pollMs: 60_000, staleMs: 3000, backoffBaseMs: 100 };
const WAKE_BOUND_MS = 2000;

/** Polls `installs show` until a worker has claimed the task (the cluster goes deploying); null if not within `ms`. */
async function claimedWithin(world: World, name: string, ms: number): Promise<{ view: InstallView; afterMs: number } | null> {
  const started = Date.now();
  for (;;) {
    const view = await world.dataplane.service.show(name);
    if (view.task && view.task.status !== 'pending') return { view, afterMs: Date.now() - started };
    if (Date.now() - started > ms) return null;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Lets a started scheduler finish its first look (claim, then "when is the next task due?") and go to sleep: a trigger
 * landing between those two reads would be found by the second one, which is not what these tests are about.
 */
function asleep(): Promise<void> {
  return new Promise((r) => setTimeout(r, 300));
}

/** Milliseconds from the trigger's transaction to the claim, both by the database's clock. */
function queuedToClaimedMs(view: InstallView): number {
  return Date.parse(view.task!.startedAt!) - Date.parse(view.task!.createdAt);
}

describe.each(DATABASE_KINDS)('the install scheduler is woken by NOTIFY, not by its poll (%s)', (kind) => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await world?.close();
    world = null;
  });

  it('with a 60 s fallback poll, a deploy is claimed within 2 s; with LISTEN off it stays queued and the cluster is not deploying', async () => {
    world = await openWorld(kind, { dataplane: { scheduler: SLOW_POLL } });
    await addTarget(world, 'gpu-wake', 'external');
    await addTarget(world, 'gpu-poll', 'external');

    // The control: the seed's polling scheduler (no LISTEN) with the same 60 s interval does not see the trigger.
    const pollingOnly = dataplaneFor(world.engine, {
      secrets: world.secrets, helm: new HelmCli({ binary: world.helm.bin, env: world.helm.env }), scheduler: { ...SLOW_POLL, listen: false },
    }).scheduler();
    scheduler = pollingOnly;
    await pollingOnly.start();
    await asleep();
    await world.dataplane.service.trigger('gpu-poll');
    expect(await claimedWithin(world, 'gpu-poll', WAKE_BOUND_MS + 500)).toBeNull();
    const queued = await world.dataplane.service.show('gpu-poll');
    // Queued, nobody installing: seed 000 makes the cluster deploying only when the installer starts.
    expect(queued.dataplaneStatus).toBe('pending');
    expect(queued.task).toMatchObject({ status: 'pending', startedAt: null, workerId: null });
    await pollingOnly.stop();

    // A listening scheduler, started after that trigger: its first look claims the queued task at once.
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    const first = await claimedWithin(world, 'gpu-poll', WAKE_BOUND_MS);
    expect(first, 'the queued task claimed when a scheduler starts').not.toBeNull();
    await waitForInstall(world, 'gpu-poll', installEnded);

    // Now it is idle, asleep for up to 60 s: only the trigger's NOTIFY can wake it in time.
    await asleep();
    await world.dataplane.service.trigger('gpu-wake');
    const woken = await claimedWithin(world, 'gpu-wake', WAKE_BOUND_MS);
    expect(woken, 'claimed within 2 s with a 60 s poll').not.toBeNull();
    expect(woken!.afterMs).toBeLessThan(WAKE_BOUND_MS);
    expect(queuedToClaimedMs(woken!.view)).toBeLessThan(WAKE_BOUND_MS);
    expect(woken!.view.task!.workerId).toBe(scheduler.workerId);
    const done = await waitForInstall(world, 'gpu-wake', installEnded);
    expect(done.dataplaneStatus).toBe('deployed');
  }, 60_000);

  it('a deploy from another process (the fleetdeck CLI, its own database connection) wakes the idle scheduler', async () => {
    world = await openWorld(kind, { shared: true, dataplane: { scheduler: SLOW_POLL } });
    await addTarget(world, 'gpu-remote', 'external');
    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    await asleep();

    const deployed = await fleetdeck(['deploy', 'gpu-remote', '--json'], { env: world.processEnv });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const { task_id: taskId } = JSON.parse(deployed.stdout) as { task_id: number };
    const woken = await claimedWithin(world, 'gpu-remote', WAKE_BOUND_MS);
    expect(woken, 'claimed within 2 s of the CLI\'s deploy with a 60 s poll').not.toBeNull();
    expect(woken!.view.task!.id).toBe(taskId);
    expect(queuedToClaimedMs(woken!.view)).toBeLessThan(WAKE_BOUND_MS);
    expect(woken!.view.task!.workerId).toBe(scheduler.workerId);
    const done = await waitForInstall(world, 'gpu-remote', installEnded);
    expect(done.dataplaneStatus).toBe('deployed');
  }, 90_000);
});
