import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { RELEASES } from '../../../core/dataplane/index.js';
import type { InstallScheduler } from '../../../core/dataplane/index.js';
import type { World } from './world.js';
import { addTarget, installEnded, openWorld, waitForInstall } from './world.js';

const IN_PROGRESS = 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress';

/** Runs the world's fake helm directly, as an operator (or a killed worker) would have. */
function helmCall(world: World, args: string[], env: Record<string, string> = {}) {
  return execa(world.helm.bin, args, { reject: false, env: { ...world.helm.env, ...env } });
}

/** An upgrade --install killed while it runs (its --wait): Helm leaves the revision pending-install / pending-upgrade. */
async function killedUpgrade(world: World, namespace: string, release: string, chart: string): Promise<void> {
  const values = join(world.helm.dir, `${release}-values.json`);
  writeFileSync(values, '{}');
  const child = helmCall(world, ['upgrade', '--install', release, chart, '-n', namespace, '-f', values, '--wait'], { FAKE_HELM_DELAY_MS: '60000' });
  for (let i = 0; i < 200 && !/^pending-/.test(world.helm.releases()[`${namespace}/${release}`]?.status ?? ''); i += 1) await new Promise((r) => setTimeout(r, 25));
  child.kill('SIGKILL');
  await child;
}

describe('Helm releases left pending by a killed helm (pglite, fake helm)', () => {
  let world: World | null = null;
  let scheduler: InstallScheduler | null = null;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = null;
    await world?.close();
    world = null;
  });

  it('the fake helm refuses upgrade --install on a pending release exactly as Helm 3 does; rollback and uninstall clear it', async () => {
    world = await openWorld('pglite');
    await killedUpgrade(world, 'ns', 'fresh', 'repo/fresh');
    expect(world.helm.releases()['ns/fresh']).toMatchObject({ status: 'pending-install', revision: 1 });
    const refused = await helmCall(world, ['upgrade', '--install', 'fresh', 'repo/fresh', '-n', 'ns']);
    expect([refused.exitCode, refused.stderr]).toEqual([1, IN_PROGRESS]);
    expect((await helmCall(world, ['uninstall', 'fresh', '-n', 'ns'])).stdout).toBe('release "fresh" uninstalled');
    expect((await helmCall(world, ['upgrade', '--install', 'fresh', 'repo/fresh', '-n', 'ns'])).exitCode).toBe(0);

    await killedUpgrade(world, 'ns', 'fresh', 'repo/fresh');
    const history = JSON.parse((await helmCall(world, ['history', 'fresh', '-n', 'ns', '-o', 'json'])).stdout) as { revision: number; status: string }[];
    expect(history.map((r) => `${r.revision}:${r.status}`)).toEqual(['1:deployed', '2:pending-upgrade']);
    expect((await helmCall(world, ['upgrade', '--install', 'fresh', 'repo/fresh', '-n', 'ns'])).stderr).toBe(IN_PROGRESS);
    expect((await helmCall(world, ['rollback', 'fresh', '1', '-n', 'ns'])).stdout).toBe('Rollback was a success! Happy Helming!');
    expect(world.helm.releases()['ns/fresh']).toMatchObject({ status: 'deployed', revision: 3 });
    expect((await helmCall(world, ['upgrade', '--install', 'fresh', 'repo/fresh', '-n', 'ns'])).exitCode).toBe(0);
  });

  it('the stage recovers as an operator would: pending-upgrade → rollback to the deployed revision, pending-install → uninstall, then install', async () => {
    world = await openWorld('pglite');
    await addTarget(world, 'gpu-stuck', 'external');
    const ns = 'lens-gpu-stuck';
    // The applications were deployed once; then an upgrade was killed. The migration's first install was killed.
    expect((await helmCall(world, ['upgrade', '--install', RELEASES.applications, 'primus-lens/applications', '-n', ns])).exitCode).toBe(0);
    await killedUpgrade(world, ns, RELEASES.applications, 'primus-lens/applications');
    await killedUpgrade(world, ns, RELEASES.migration, 'primus-lens/migration');
    expect(world.helm.releases()[`${ns}/${RELEASES.applications}`]?.status).toBe('pending-upgrade');
    expect(world.helm.releases()[`${ns}/${RELEASES.migration}`]?.status).toBe('pending-install');

    scheduler = world.dataplane.scheduler();
    await scheduler.start();
    const { taskId } = await world.dataplane.service.trigger('gpu-stuck');
    const view = await waitForInstall(world, 'gpu-stuck', (v) => v.task?.id === taskId && installEnded(v));
    expect(view.dataplaneStatus).toBe('deployed');
    expect(view.task!.retryCount).toBe(0);
    const stage = (name: string) => view.task!.stages.find((s) => s.name === name)!;
    expect(stage('StageDatabaseMigration').output).toContain(`release ${RELEASES.migration} was left pending-install (revision 1) with no deployed revision before it: helm uninstall, then install`);
    expect(stage('StageApplications').output).toContain(`release ${RELEASES.applications} was left pending-upgrade (revision 2): helm rollback to revision 1 (deployed), then upgrade`);
    const calls = world.helm.calls().map((c) => c.slice(1, 4).join(' '));
    expect(calls).toContain(`uninstall ${RELEASES.migration} -n`);
    expect(calls).toContain(`rollback ${RELEASES.applications} 1`);
    expect(world.helm.releases()[`${ns}/${RELEASES.applications}`]).toMatchObject({ status: 'deployed', revision: 4 });
    expect(world.helm.releases()[`${ns}/${RELEASES.migration}`]).toMatchObject({ status: 'deployed', revision: 1 });
  });
});
