import { currentActor, recordAudit } from '../../../core/audit/audit-log.js';
import { auditResultFor, recordRefusal } from '../../../core/audit/audited.js';
import { loadMigrations, migrate } from '../../../core/db/migrate.js';
import { openDatabase } from '../../../core/engine.js';
import { ReadonlyError, asFleetError } from '../../../core/errors.js';
import type { Command } from '../context.js';
import { printJson } from '../context.js';

/**
 * Opens the database itself rather than through the engine: the engine would migrate on opening (and,
 * read-only, refuses a schema that is behind, which is exactly when this command is run).
 */
export const migrateCommand: Command = {
  path: ['migrate'], usage: 'fleetdeck migrate [--json]', summary: 'apply pending database migrations', flags: [],
  async run(ctx) {
    const actor = currentActor();
    if (ctx.config.readonly) {
      // Recorded where the database and its audit log already exist; refused either way.
      const db = await openDatabase(ctx.config).catch(() => null);
      const refusal = db ? await recordRefusal({ db, actor }, 'migrate', db.target) : new ReadonlyError('migrate');
      await db?.close().catch(() => undefined);
      throw refusal;
    }
    const db = await openDatabase(ctx.config);
    try {
      let report;
      try {
        report = await migrate(db, loadMigrations());
      } catch (error) {
        await recordAudit(db, actor, { action: 'migrate', target: db.target, result: auditResultFor(error),
          details: { code: asFleetError(error).code, error: asFleetError(error).message } }).catch(() => undefined);
        throw error;
      }
      await recordAudit(db, actor, { action: 'migrate', target: db.target, result: 'ok', details: { applied: report.applied } });
      if (ctx.json) printJson(ctx, { ...report, target: db.target });
      else ctx.out(report.applied.length === 0 ? `Database ${db.target} is up to date (${report.alreadyApplied} migrations).`
        : `Applied ${report.applied.join(', ')} to ${db.target}.`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
