import { ReadonlyError, asFleetError } from '../errors.js';
import type { Database } from '../db/database.js';
import type { Actor, AuditResult } from './audit-log.js';
import { recordAudit } from './audit-log.js';

/** What every mutating service needs: where to write, who acts, and whether writing is allowed. */
export interface MutationContext {
  db: Database;
  actor: Actor;
  readonly: boolean;
}

/** A failure's audit result: bad input is `invalid`, a read-only refusal `refused`, anything else `failed`. */
export function auditResultFor(error: unknown): AuditResult {
  const code = asFleetError(error).code;
  if (code === 'VALIDATION') return 'invalid';
  if (code === 'READONLY') return 'refused';
  return 'failed';
}

/**
 * Records a refused read-only attempt. The audit log is the one table a read-only session appends to
 * (it changes nothing in the fleet); when even that is impossible (a read-only database role, no
 * schema yet) the refusal still stands and only its record is lost.
 */
export async function recordRefusal(ctx: Omit<MutationContext, 'readonly'>, action: string, target: string | null): Promise<ReadonlyError> {
  const refusal = new ReadonlyError(action);
  await recordAudit(ctx.db, ctx.actor, { action, target, result: 'refused', details: { code: refusal.code } }).catch(() => undefined);
  return refusal;
}

/**
 * The one gate for mutating actions: refuses them when read-only, and writes the audit log with the
 * result whatever it was: ok (or what `resultOf` says of a result, e.g. partial), failed, invalid (a
 * validation error thrown by `run`, which is why `run` validates its input itself) or refused (read-only).
 * A change that is one transaction uses `auditedTransaction` instead, so its audit row commits with it.
 */
export async function audited<T>(
  ctx: MutationContext,
  action: string,
  target: string | null,
  run: () => Promise<T>,
  describe: (result: T) => Record<string, unknown> = () => ({}),
  resultOf: (result: T) => AuditResult = () => 'ok',
): Promise<T> {
  if (ctx.readonly) throw await recordRefusal(ctx, action, target);
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const fleetError = asFleetError(error);
    await recordAudit(ctx.db, ctx.actor, {
      action, target, result: auditResultFor(error), details: { code: fleetError.code, error: fleetError.message },
    }).catch(() => undefined);
    throw error;
  }
  await recordAudit(ctx.db, ctx.actor, { action, target, result: resultOf(result), details: describe(result) });
  return result;
}
