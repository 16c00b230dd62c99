import type { CockpitSource } from '../source.js';
import type { CockpitStore } from './cockpit-store.js';
import { toErrorInfo } from './error-info.js';

export interface LiveSyncOptions {
  /** Events within this window are coalesced into one re-read. */
  debounceMs?: number;
  /** The fallback re-read for missed notifications. */
  fallbackMs?: number;
}

/**
 * Keeps the store's clusters current: one read at start, a coalesced re-read after inventory events
 * (a burst of 200 events costs a few reads, never 200), and a slow periodic re-read as the fallback.
 * Returns `stop`, and `refresh` to force a read now.
 */
export function startLiveSync(store: CockpitStore, source: CockpitSource, options: LiveSyncOptions = {}):
  { stop(): void; refresh(): Promise<void> } {
  const debounceMs = options.debounceMs ?? 50;
  const fallbackMs = options.fallbackMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let dirty = false;

  const read = async (): Promise<void> => {
    if (inFlight) {
      dirty = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        dirty = false;
        try {
          const clusters = await source.listClusters();
          if (!stopped) store.getState().setClusters(clusters);
        } catch (error) {
          if (!stopped) store.getState().setError(toErrorInfo(error));
        }
      } while (dirty && !stopped);
    })();
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
  };

  const schedule = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void read();
    }, debounceMs);
  };

  const unsubscribe = source.subscribe((event) => {
    if (event.topic === 'inventory') schedule();
  });
  const fallback = setInterval(() => void read(), fallbackMs);
  fallback.unref();
  void read();

  return {
    stop() {
      stopped = true;
      unsubscribe();
      clearInterval(fallback);
      if (timer) clearTimeout(timer);
      timer = null;
    },
    refresh: read,
  };
}
