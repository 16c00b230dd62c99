/**
 * Kills a worker running env.create / env.delete / a repair with kill -9 (its whole process group, so a git push
 * or a provider CLI it started dies with it, as in a crash), then resumes its operation in the test process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Engine } from '../../../../core/engine.js';
import type { OperationRecord } from '../../../../core/operations/types.js';
import type { TestFleetSetup } from './test-fleet.js';

const WORKER = join(process.cwd(), 'dist/test/support/workers/run-env.js');

export interface CrashJob {
  mode: 'create' | 'delete' | 'repair';
  /** The environment, or the plan id for `repair`. */
  name: string;
  provider: 'k3d' | 'kind';
  /** A step checkpoint ("cluster:after") to hang at; or leave it out and give `marker`. */
  pause?: string;
  /** A file an effect writes when it starts hanging (a fake tool, the Git hook, the HAProxy reload script). */
  marker?: string;
}

export async function killAt(engine: Engine, databaseUrl: string, setup: TestFleetSetup, job: CrashJob, then: 'resume' | 'none' = 'resume'): Promise<OperationRecord> {
  const child = execa('node', [WORKER, JSON.stringify({ databaseUrl, setup, ...job })], { reject: false, detached: true });
  let poll: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('paused')) resolve();
      });
      const marker = job.marker;
      if (marker) poll = setInterval(() => existsSync(marker) && readFileSync(marker, 'utf8') !== '' && resolve(), 20);
      void child.then((result) => reject(new Error(`worker ended before pausing at ${job.pause ?? marker}: ${String(result.stderr).slice(-500)}`)));
    });
  } finally {
    clearInterval(poll);
  }
  process.kill(-child.pid!, 'SIGKILL');
  await child;
  const [op] = await engine.operations.list(1);
  if (!op || op.status !== 'running') throw new Error(`expected an unfinished operation after the kill, got ${op?.status ?? 'none'}`);
  return then === 'resume' ? engine.operations.resume(op.id) : op;
}
