/**
 * A separate fleetdeck-like process for DR tests. argv: JSON {url, mode, plan?, id?, kubeUrl?, appName?}.
 * mode "start": tries to create an Execute of `plan`; prints {id} or {code, message}.
 * mode "run": runs (steals) execution `id` to its end; prints "started" first so the parent can time its kill.
 * mode "serve": loads everything and connects, prints "ready", then reads an execution id from stdin and runs it
 *   like "run" (a parent starts the next worker while the current one works, so start-up time is not waited for).
 * `kubeUrl`: a sandbox API server every cluster name resolves to (for Job and Clusternet actions).
 * `appName`: the PostgreSQL application_name of its connections, so a parent can wait until they are gone.
 */
import { DrService } from '../../../core/dr/dr-service.js';
import { PgDatabase } from '../../../core/db/pg-database.js';
import { FleetError } from '../../../core/errors.js';
import { createKubeGateway } from '../../../core/kube/index.js';
import { kubeconfigFor } from '../../../src/sandbox/kube-api/kubeconfig.js';

const input = JSON.parse(process.argv[2]!) as { url: string; mode: 'start' | 'run' | 'serve'; plan?: string; id?: string; kubeUrl?: string; appName?: string };
const url = new URL(input.url);
if (input.appName) url.searchParams.set('application_name', input.appName);
const db = new PgDatabase(url.toString());
const kube = input.kubeUrl
  ? createKubeGateway({ kind: 'kubeconfig', yaml: kubeconfigFor([{ context: 'sandbox', url: input.kubeUrl }]), context: 'sandbox' })
  : null;
const dr = new DrService({
  db, actor: { user: 'worker', host: 'test' }, readonly: false, secrets: null,
  kube: async () => {
    if (kube) return kube;
    throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none');
  },
});
try {
  if (input.mode === 'start') {
    try {
      const execution = await dr.startExecute(input.plan!);
      process.stdout.write(`${JSON.stringify({ id: execution.id })}\n`);
    } catch (error) {
      const e = error as FleetError;
      process.stdout.write(`${JSON.stringify({ code: e.code, message: e.message })}\n`);
    }
  } else {
    let id = input.id;
    if (input.mode === 'serve') {
      await db.query('SELECT 1');
      process.stdout.write('ready\n');
      id = await new Promise<string>((resolve) => {
        let text = '';
        process.stdin.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('\n')) resolve(text.trim());
        });
      });
    }
    process.stdout.write('started\n');
    const outcome = await dr.run(id!, { steal: true, parallelism: 3 });
    process.stdout.write(`${JSON.stringify({ phase: outcome.execution.phase })}\n`);
  }
} finally {
  await db.close();
}
