/** Opens an embedded data directory, writes one row, says "ready" and waits to be killed. argv: dataDir */
import { EmbeddedDatabase } from '../../../core/db/embedded/embedded-database.js';

const db = await EmbeddedDatabase.open(process.argv[2]!);
await db.exec('CREATE TABLE IF NOT EXISTS survivors (name text PRIMARY KEY)');
await db.query("INSERT INTO survivors VALUES ('before-crash') ON CONFLICT DO NOTHING");
process.stdout.write(`ready ${db.isOwner ? 'owner' : 'client'}\n`);
setInterval(() => undefined, 60_000);
