/**
 * A separate fleetdeck process for multi-process tests: adds N clusters through the engine.
 * argv: JSON {dataDir?, databaseUrl?, prefix, count}. Prints {added, errors, ownedFrom}: ownedFrom is the
 * index of the first add this process ran as the embedded data directory's owner (null: never owned it).
 */
import { resolveConfig } from '../../../core/config.js';
import type { EmbeddedDatabase } from '../../../core/db/embedded/embedded-database.js';
import { createEngine } from '../../../core/engine.js';

interface Job {
  dataDir?: string;
  databaseUrl?: string;
  prefix: string;
  count: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const config = resolveConfig({
  ...(job.dataDir ? { dataDir: job.dataDir } : {}),
  ...(job.databaseUrl ? { databaseUrl: job.databaseUrl } : {}),
}, { HOME: job.dataDir ?? '/nonexistent' });
const engine = await createEngine(config);
const errors: string[] = [];
let added = 0;
let ownedFrom: number | null = null;
const isOwner = () => (engine.db as Partial<EmbeddedDatabase>).isOwner === true;
for (let i = 0; i < job.count; i += 1) {
  try {
    await engine.inventory.add({ name: `${job.prefix}-${i}`, provider: i % 2 === 0 ? 'k3d' : 'kind' });
    added += 1;
  } catch (error) {
    errors.push((error as Error).message);
  }
  if (ownedFrom === null && isOwner()) ownedFrom = i;
}
await engine.close();
process.stdout.write(`${JSON.stringify({ added, errors, ownedFrom })}\n`);
process.exit(0);
