import { ReadonlyError, asFleetError } from '../errors.js';
import type { Database } from '../db/database.js';
import type { Actor } from './audit-log.js';
import { recordAudit } from './audit-log.js';

/** What every mutating service needs: where to write, who acts, and whether writing is allowed. */
export interface MutationContext {
  db: Database;
  actor: Actor;
  readonly: boolean;
}

/**
 * The one gate for mutating actions: refuses them when read-only, and writes the audit log with
 * the result whether the action succeeded or failed.
 */
export async function audited<T>(
  ctx: MutationContext,
  action: string,
  target: string | null,
  run: () => Promise<T>,
  describe: (result: T) => Record<string, unknown> = () => ({}),
): Promise<T> {
  if (ctx.readonly) throw new ReadonlyError(action);
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const fleetError = asFleetError(error);
    await recordAudit(ctx.db, ctx.actor, {
      action, target, result: 'failed', details: { code: fleetError.code, error: fleetError.message },
    }).catch(() => undefined);
    throw error;
  }
  await recordAudit(ctx.db, ctx.actor, { action, target, result: 'ok', details: describe(result) });
  return result;
}
