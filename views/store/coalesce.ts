/**
 * Wraps a read so calls never overlap: a call during a read makes exactly one more read after it.
 * `schedule()` waits `delayMs` first, so a burst of events costs one read.
 */
export interface CoalescedRead {
  now(): Promise<void>;
  schedule(): void;
  cancel(): void;
}

export function coalescedRead(read: () => Promise<void>, delayMs: number): CoalescedRead {
  let inFlight: Promise<void> | null = null;
  let dirty = false;
  let timer: NodeJS.Timeout | null = null;
  let cancelled = false;
  const now = async (): Promise<void> => {
    if (cancelled) return;
    if (inFlight) {
      dirty = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        dirty = false;
        await read();
      } while (dirty && !cancelled);
    })();
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
  };
  return {
    now,
    schedule() {
      if (cancelled || timer) return;
      timer = setTimeout(() => {
        timer = null;
        void now();
      }, delayMs);
    },
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
