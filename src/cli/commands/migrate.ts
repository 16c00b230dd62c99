import { loadMigrations, migrate } from '../../../core/db/migrate.js';
import type { Command } from '../context.js';
import { printJson } from '../context.js';

export const migrateCommand: Command = {
  path: ['migrate'], usage: 'fleetdeck migrate [--json]', summary: 'apply pending database migrations', flags: [],
  async run(ctx) {
    const engine = await ctx.engine();
    const report = await migrate(engine.db, loadMigrations());
    if (ctx.json) printJson(ctx, { ...report, target: engine.db.target });
    else ctx.out(report.applied.length === 0 ? `Database ${engine.db.target} is up to date (${report.alreadyApplied} migrations).`
      : `Applied ${report.applied.join(', ')} to ${engine.db.target}.`);
    return 0;
  },
};
