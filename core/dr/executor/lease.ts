/** Holding an execution while running it: a heartbeat renews the lease and carries cancellation requests. */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.js';
import { ActionFailure } from '../actions/types.js';
import { LeaseLostError } from '../store/action-statuses.js';
import { heartbeat } from '../store/executions.js';

export function defaultHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The abort reason of a cancellation someone requested (`fleetdeck dr cancel`); any other reason means "stop". */
export class CancelRequested extends ActionFailure {
  constructor() {
    super('canceled', {}, 'CONFLICT');
    this.name = 'CancelRequested';
  }
}

export function isCancellation(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof CancelRequested;
}

export interface Lease {
  /** Fires on a cancellation request (CancelRequested) or when the lease is lost (LeaseLostError). */
  readonly signal: AbortSignal;
  readonly lost: boolean;
  release(): void;
}

export function holdLease(db: Queryable, id: string, holder: string, leaseMs: number): Lease {
  const controller = new AbortController();
  let lost = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || controller.signal.aborted) return;
    busy = true;
    heartbeat(db, id, holder)
      .then(({ held, cancelRequested }) => {
        if (!held) {
          lost = true;
          controller.abort(new LeaseLostError(id));
        } else if (cancelRequested) controller.abort(new CancelRequested());
      })
      .catch(() => undefined)
      .finally(() => { busy = false; });
  }, Math.max(100, Math.min(1000, Math.floor(leaseMs / 3))));
  timer.unref();
  return {
    signal: controller.signal,
    get lost() { return lost; },
    release: () => clearInterval(timer),
  };
}
