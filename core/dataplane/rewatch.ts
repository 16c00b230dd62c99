import { errorMessage } from '../errors.js';
import type { WatchHandle } from '../kube/types.js';

export interface KeepWatchingOptions {
  /** First wait before opening the watch again (default 500 ms); doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A watch re-opened after a gap: events in between may be lost, so the caller re-reads (e.g. a sync pass). */
  onReopened?(): void;
  log?(line: string): void;
}

export interface KeptWatch {
  stop(): void;
  /** How many times the watch has been opened (tests, logs). */
  readonly opened: number;
}

/**
 * Keeps a watch open for as long as the caller wants it: an API server ends watch streams (its timeout, a restart,
 * a load balancer), so when `done` settles or opening fails, it opens again after a backoff that doubles up to a cap
 * and starts over once a watch has stayed open that long.
 */
export function keepWatching(open: () => Promise<WatchHandle>, options: KeepWatchingOptions = {}): KeptWatch {
  const min = options.minBackoffMs ?? 500;
  const max = options.maxBackoffMs ?? 30_000;
  const log = options.log ?? (() => undefined);
  let stopped = false;
  let handle: WatchHandle | null = null;
  let wakeSleep: (() => void) | null = null;
  let opened = 0;

  const loop = async (): Promise<void> => {
    let delay = min;
    while (!stopped) {
      const openedAt = Date.now();
      try {
        handle = await open();
        if (stopped) {
          handle.stop();
          return;
        }
        opened += 1;
        if (opened > 1) options.onReopened?.();
        await handle.done;
        if (stopped) return;
        log('watch closed by the server; opening it again');
      } catch (error) {
        if (stopped) return;
        log(`watch unavailable: ${errorMessage(error)}; retrying in ${Math.round(delay / 100) / 10} s`);
      }
      handle = null;
      if (Date.now() - openedAt >= max) delay = min;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeSleep = null;
      delay = Math.min(max, delay * 2);
    }
  };
  void loop();
  return {
    get opened() {
      return opened;
    },
    stop() {
      stopped = true;
      handle?.stop();
      wakeSleep?.();
    },
  };
}
