import { createHash } from 'node:crypto';

/** Redis-style configuration: one `key value...` per line, `#` comments. Keys are case-insensitive. */
export type MiddlewareConfig = Record<string, string>;

/** Keys Redis only reads at start-up: changing them needs a restart, everything else applies live (CONFIG SET). */
export const REDIS_STATIC_KEYS: readonly string[] = [
  'port', 'bind', 'daemonize', 'databases', 'unixsocket', 'supervised', 'io-threads', 'cluster-enabled', 'tls-port',
];

export function parseRedisConfig(text: string): MiddlewareConfig {
  const config: MiddlewareConfig = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    config[match[1].toLowerCase()] = (match[2] ?? '').trim();
  }
  return config;
}

export function renderRedisConfig(config: MiddlewareConfig): string {
  return Object.keys(config).sort().map((k) => `${k} ${config[k] ?? ''}`).join('\n') + '\n';
}

export function configHash(config: MiddlewareConfig): string {
  return createHash('sha256').update(renderRedisConfig(config)).digest('hex').slice(0, 16);
}

/** Keys added, removed or changed between two configurations, sorted. */
export function changedKeys(before: MiddlewareConfig, after: MiddlewareConfig): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}
