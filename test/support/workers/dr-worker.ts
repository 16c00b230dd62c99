/**
 * A separate fleetdeck-like process for DR tests. argv: JSON {url, mode, plan?, id?}.
 * mode "start": tries to create an Execute of `plan`; prints {id} or {code, message}.
 * mode "run": runs (steals) execution `id` to its end; prints "started" first so the parent can time its kill.
 */
import { DrService } from '../../../core/dr/dr-service.js';
import { PgDatabase } from '../../../core/db/pg-database.js';
import { FleetError } from '../../../core/errors.js';

const input = JSON.parse(process.argv[2]!) as { url: string; mode: 'start' | 'run'; plan?: string; id?: string };
const db = new PgDatabase(input.url);
const dr = new DrService({
  db, actor: { user: 'worker', host: 'test' }, readonly: false,
  kube: async () => { throw new FleetError('UNAVAILABLE', 'no cluster in this test', 'none'); },
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
    process.stdout.write('started\n');
    const outcome = await dr.run(input.id!, { steal: true, parallelism: 3 });
    process.stdout.write(`${JSON.stringify({ phase: outcome.execution.phase })}\n`);
  }
} finally {
  await db.close();
}
