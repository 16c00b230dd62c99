/** Kills a worker running env.create / env.delete at a checkpoint, then resumes its operation in the test process. */
import { join } from 'node:path';
import { execa } from 'execa';
import type { Engine } from '../../../../core/engine.js';
import type { OperationRecord } from '../../../../core/operations/types.js';
import type { TestFleetSetup } from './test-fleet.js';

const WORKER = join(process.cwd(), 'dist/test/support/workers/run-env.js');

export async function killAt(engine: Engine, databaseUrl: string, setup: TestFleetSetup,
  job: { mode: 'create' | 'delete'; name: string; provider: 'k3d' | 'kind'; pause: string }): Promise<OperationRecord> {
  const child = execa('node', [WORKER, JSON.stringify({ databaseUrl, setup, ...job })], { reject: false });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('paused')) resolve();
    });
    void child.then((result) => reject(new Error(`worker ended before pausing at ${job.pause}: ${String(result.stderr).slice(-500)}`)));
  });
  child.kill('SIGKILL');
  await child;
  const [op] = await engine.operations.list(1);
  if (!op || op.status !== 'running') throw new Error(`expected an unfinished operation after the kill, got ${op?.status ?? 'none'}`);
  return engine.operations.resume(op.id);
}
