/** Holding an execution while running it: a heartbeat renews the lease and carries cancellation requests. */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.js';
import { ActionFailure } from '../actions/types.js';
import { heartbeat } from '../store/executions.js';

export function defaultHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export interface Lease {
  /** Fires on a cancellation request or when the lease is lost. */
  readonly signal: AbortSignal;
  readonly lost: boolean;
  release(): void;
}

export function holdLease(db: Queryable, id: string, holder: string, leaseMs: number): Lease {
  const controller = new AbortController();
  let lost = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    heartbeat(db, id, holder)
      .then(({ held, cancelRequested }) => {
        if (!held) {
          lost = true;
          controller.abort(new ActionFailure('another process took the execution over', {}, 'CONFLICT'));
        } else if (cancelRequested) controller.abort(new ActionFailure('cancelled', {}, 'CONFLICT'));
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
