/**
 * Keeps drift current for the daemon and the cockpit: a rescan shortly after inventory or operation events (a burst
 * of events costs one scan) and a periodic one for changes made outside fleetdeck. Scans never overlap; a trigger
 * that arrives during a scan runs one more scan after it.
 */
import type { EngineEvent, EventTopic } from '../events.js';

export interface DriftWatcherDeps {
  events: { subscribe(listener: (event: EngineEvent) => void, topics?: readonly EventTopic[]): () => void };
  drift: { scan(): Promise<unknown> };
}

export interface DriftWatcherOptions {
  /** The periodic rescan (default 60 s). */
  intervalMs?: number;
  /** Events within this window are coalesced into one scan (default 2 s). */
  debounceMs?: number;
  /** Scan once right away (default true). */
  initialScan?: boolean;
  /** A failed scan is reported here and the watcher carries on. */
  onError?: (error: unknown) => void;
}

export interface DriftWatcher {
  /** Scans now (or after the running scan); resolves when that scan is done. */
  scanNow(): Promise<void>;
  stop(): void;
}

/** The topics whose events can change drift; the scan's own `drift` events are not among them. */
export const DRIFT_TRIGGER_TOPICS: readonly EventTopic[] = ['inventory', 'operations'];

export function watchDrift(deps: DriftWatcherDeps, options: DriftWatcherOptions = {}): DriftWatcher {
  const intervalMs = options.intervalMs ?? 60_000;
  const debounceMs = options.debounceMs ?? 2_000;
  let stopped = false;
  let debounce: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const scanNow = async (): Promise<void> => {
    if (stopped) return;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await deps.drift.scan();
        } catch (error) {
          if (!stopped) options.onError?.(error);
        }
      } while (again && !stopped);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };

  const unsubscribe = deps.events.subscribe((event) => {
    // Not reset by later events: a steady stream of events still gets a scan every debounceMs.
    if (stopped || debounce || !DRIFT_TRIGGER_TOPICS.includes(event.topic)) return;
    debounce = setTimeout(() => {
      debounce = null;
      void scanNow();
    }, debounceMs);
  }, DRIFT_TRIGGER_TOPICS);
  const interval = setInterval(() => void scanNow(), intervalMs);
  interval.unref();
  if (options.initialScan ?? true) void scanNow();

  return {
    scanNow,
    stop() {
      stopped = true;
      unsubscribe();
      clearInterval(interval);
      if (debounce) clearTimeout(debounce);
      debounce = null;
    },
  };
}
