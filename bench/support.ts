import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPostgres } from '../test/support/postgres-server.js';
import type { PostgresServer } from '../test/support/postgres-server.js';

/** A PostgreSQL server for benchmarks: FLEETDECK_BENCH_DATABASE_URL, or one started like the test harness does. */
export async function benchServer(): Promise<{ serverUrl: string; stop(): Promise<void> }> {
  const given = process.env.FLEETDECK_BENCH_DATABASE_URL;
  if (given) return { serverUrl: given, stop: async () => undefined };
  const server: PostgresServer = await startPostgres();
  return { serverUrl: server.url, stop: () => server.stop() };
}

export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `fleetdeck_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function fmt(value: number, digits = 1): string {
  return value.toFixed(digits);
}
