import { asFleetError } from '../errors.js';
import type { Queryable } from '../db/database.js';
import type { EventRelay } from '../db/notifications.js';
import type { EngineEventInput } from '../events.js';
import type { AuditResult } from './audit-log.js';
import { recordAudit } from './audit-log.js';
import type { MutationContext } from './audited.js';
import { auditResultFor, recordRefusal } from './audited.js';

/** A change that is one transaction: the work, its audit row and its events commit together or not at all. */
export interface TransactionalChange<T> {
  /** The work, inside the transaction. Validate input here, so invalid input is audited too. */
  run(tx: Queryable): Promise<T>;
  /** What the audit row records about a result (default: nothing more). */
  describe?(result: T): Record<string, unknown>;
  /** The audit result of a committed change (default `ok`); e.g. `partial` when part of it failed. */
  result?(result: T): AuditResult;
  /** The events the change causes; NOTIFYed inside the transaction, emitted here once it committed. */
  events?(result: T): EngineEventInput[];
  /** Turns a failure into the error to report, after the rollback (e.g. one naming what collided). */
  explain?(error: unknown): Promise<unknown>;
}

export interface TransactionalContext extends MutationContext {
  relay: EventRelay;
}

/**
 * Like `audited`, for changes that are one transaction: the audit row and the NOTIFY are written in the
 * same transaction as the change, so a crash (kill -9 included) can never leave a committed change that
 * the audit log or the other processes did not hear of. A failure rolls everything back and is then
 * audited on its own (nothing was changed, so nothing can be lost).
 */
export async function auditedTransaction<T>(
  ctx: TransactionalContext, action: string, target: string | null, change: TransactionalChange<T>,
): Promise<T> {
  if (ctx.readonly) throw await recordRefusal(ctx, action, target);
  let committed: { result: T; events: (EngineEventInput & { at: string })[] };
  try {
    committed = await ctx.db.transaction(async (tx) => {
      const result = await change.run(tx);
      await recordAudit(tx, ctx.actor, {
        action, target, result: change.result?.(result) ?? 'ok', details: change.describe?.(result) ?? {},
      });
      const events = [];
      for (const event of change.events?.(result) ?? []) events.push(await ctx.relay.notifyWithin(tx, event));
      return { result, events };
    });
  } catch (raw) {
    const error = change.explain ? await change.explain(raw).catch(() => raw) : raw;
    const fleetError = asFleetError(error);
    await recordAudit(ctx.db, ctx.actor, {
      action, target, result: auditResultFor(error), details: { code: fleetError.code, error: fleetError.message },
    }).catch(() => undefined);
    throw error;
  }
  for (const event of committed.events) ctx.relay.emitLocal(event);
  return committed.result;
}
