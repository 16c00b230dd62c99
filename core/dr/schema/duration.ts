/** Go durations as BCS writes them (`5m`, `10s`, `1h30m`, `500ms`). */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
/** A Go duration or `0`. */
export const DURATION_PATTERN = /^(?:0|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

export function isGoDuration(text: string): boolean {
  return DURATION_PATTERN.test(text);
}

/** Milliseconds in a Go duration, or null when the text is not one. */
export function parseGoDuration(text: string): number | null {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  return total;
}

/** BCS's defaults: action timeout 5m, retry limit 3, interval 5s, backoff 2.0. */
export const DEFAULT_ACTION_TIMEOUT = '5m';
export const DEFAULT_RETRY = { limit: 3, interval: '5s', backoffMultiplier: '2.0' } as const;
