/**
 * The Job runner in the sandbox world, through the binary: `fleetdeck --sandbox serve --runner job` hosts the world
 * and runs the scheduler; `fleetdeck --sandbox deploy dev` from another process queues the install; the scheduler
 * creates the `primus-lens-installer` Job in dev, the world's node runs its pod (`fleetdeck dataplane installer` with
 * the sandbox helm), and the stages arrive in the database while the Job still runs. serve, hosting the world, also
 * tells the world's notices on its stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import { EXTERNAL_STAGES, RELEASES, dataplaneFor, type InstallView } from '../../core/dataplane/index.js';
import { createEngine, type Engine } from '../../core/engine.js';
import { LENS_NAMESPACE } from '../../src/sandbox/world/dataplane-seed.js';
import { readWorld, updateWorld, worldLayout } from '../../src/sandbox/world/world-file.js';
import { BIN, fleetdeck, type CliResult } from '../support/cli.js';

describe('the Job runner in the sandbox world, through the fleetdeck binary', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-sandbox-job-'));
  const cli = (...args: string[]): Promise<CliResult> => fleetdeck(['--sandbox', '--data-dir', dataDir, ...args]);
  let serve: ResultPromise | null = null;
  let serveErr = '';
  let serveOut = '';
  let engine: Engine | null = null;

  beforeAll(async () => {
    const child = execa('node', [BIN, '--sandbox', '--data-dir', dataDir, 'serve', '--runner', 'job', '--port', '0', '--json'], { reject: false });
    serve = child;
    child.stderr!.on('data', (chunk: Buffer) => (serveErr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        serveOut += chunk.toString();
        if (out.includes('"runner"')) resolve();
      });
      void child.then(() => reject(new Error(`serve ended before listening: ${serveErr.slice(-1000)}`)));
    });
  }, 240_000);

  afterAll(async () => {
    await engine?.close();
    serve?.kill('SIGTERM');
    await serve;
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('deploy dev runs the installer pod in dev and reaches deployed, every stage reported while the Job runs', async () => {
    // serve's cluster sync turns the world's Primus-SaFE Clusters into configurations; wait for dev's.
    const deadline = Date.now() + 60_000;
    let listed: { name: string }[] = [];
    while (!listed.some((c) => c.name === 'dev')) {
      if (Date.now() > deadline) throw new Error(`cluster sync never listed dev: ${serveErr.slice(-1000)}`);
      const ls = await cli('installs', 'ls', '--json');
      listed = ls.exitCode === 0 ? (JSON.parse(ls.stdout) as { name: string }[]) : [];
    }
    const deployed = await cli('deploy', 'dev', '--json');
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const taskId = (JSON.parse(deployed.stdout) as { task_id: number }).task_id;

    // Followed from this process as a client of serve's embedded database: a stage done while the task still runs.
    engine = await createEngine(resolveConfig({ dataDir, sandbox: true }, { HOME: dataDir }));
    const service = dataplaneFor(engine, { secrets: null }).service;
    let liveStage: string | null = null;
    let view: InstallView;
    const until = Date.now() + 180_000;
    for (;;) {
      view = await service.show('dev');
      const done = view.task?.stages.find((s) => s.status === 'completed');
      if (done && view.task?.status === 'running') liveStage ??= done.name;
      // The cluster turns deploying only when serve claims the task: wait for the task's end, not the status.
      if (view.task?.id === taskId && (view.task.status === 'completed' || view.task.status === 'failed')) break;
      if (Date.now() > until) throw new Error(`the install did not finish: ${JSON.stringify(view.task)} ${serveErr.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(view.dataplaneStatus, view.task?.errorMessage ?? '').toBe('deployed');
    expect(liveStage).not.toBeNull();

    const shown = await cli('installs', 'show', 'dev', '--json');
    expect(shown.exitCode, shown.stderr).toBe(0);
    const task = (JSON.parse(shown.stdout) as InstallView).task!;
    expect(task).toMatchObject({ id: taskId, runner: 'job', status: 'completed', jobName: `primus-lens-installer-${taskId}` });
    expect(task.stages.map((s) => s.name)).toEqual([...EXTERNAL_STAGES]);
    expect(task.stages.map((s) => s.status)).toEqual(['skipped', 'completed', 'skipped', 'completed', 'completed']);
    // The pod's own log, read while it ran: the installer process ran in the world's node, not in serve's scheduler.
    expect(task.jobLog).toContain(`installing the Lens dataplane into dev (task ${taskId}`);
    expect(task.jobLog).toContain('StageDatabaseMigration: completed');
    expect(task.jobLog).toMatch(/install complete\s*$/);

    // In dev, through kubectl: the Job ended Complete when its pod's process exited; helm's release Secrets were
    // written from the pod.
    const kubectl = async <T>(...args: string[]): Promise<T> => JSON.parse((await execa('kubectl',
      ['--kubeconfig', join(dataDir, 'sandbox', 'kubeconfig'), '--context', 'kind-dev', '-n', LENS_NAMESPACE, ...args, '-o', 'json'])).stdout) as T;
    const job = await kubectl<{ status: { conditions: { type: string; status: string }[] } }>('get', 'job', `primus-lens-installer-${taskId}`);
    expect(job.status.conditions).toContainEqual(expect.objectContaining({ type: 'Complete', status: 'True' }));
    const pods = await kubectl<{ items: { status: { phase: string } }[] }>('get', 'pods', '-l', `job-name=primus-lens-installer-${taskId}`);
    expect(pods.items.map((p) => p.status.phase)).toEqual(['Succeeded']);
    const releases = await kubectl<{ items: { metadata: { name: string } }[] }>('get', 'secrets', '-l', 'owner=helm');
    expect(releases.items.map((s) => s.metadata.name)).toContain(`sh.helm.release.v1.${RELEASES.applications}.v1`);
  }, 300_000);

  it('serve, a command that keeps running, tells a notice of the world on stderr once, never on stdout', async () => {
    // serve hosts the world. dev is recorded on a port something else holds: the world moves it.
    const holder: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as AddressInfo).port;
    try {
      const before = serveErr.length;
      await updateWorld(worldLayout(dataDir), (world) => ({ ...world!, clusters: world!.clusters.map((c) => (c.name === 'dev' ? { ...c, port: held } : c)) }));
      const deadline = Date.now() + 30_000;
      while (!serveErr.slice(before).includes('moved cluster kind-dev')) {
        if (Date.now() > deadline) throw new Error(`no notice on serve's stderr: ${serveErr.slice(before)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const notices = serveErr.slice(before).split('\n').filter((line) => line.includes('in use'));
      const moved = readWorld(worldLayout(dataDir))!.clusters.find((c) => c.name === 'dev')!.port;
      expect(notices).toEqual([expect.stringMatching(new RegExp(`^sandbox: port in use, moved cluster kind-dev ${held} -> ${moved}; rewrote `))]);
      expect(serveOut).not.toContain('in use');
    } finally {
      holder.close();
    }
  }, 60_000);
});
