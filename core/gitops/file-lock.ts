/**
 * Serialises writers of one directory: an in-process queue per lock path plus an exclusive lock file, so two
 * fleetdeck processes sharing a cache directory never interleave. A lock left by a dead process is taken over.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { FleetError } from '../errors.js';

const queues = new Map<string, Promise<unknown>>();

export interface FileLockOptions {
  timeoutMs?: number;
  /** A lock file older than this is considered abandoned. */
  staleMs?: number;
}

export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    await acquire(path, opts);
    try {
      return await fn();
    } finally {
      await unlink(path).catch(() => undefined);
    }
  });
  queues.set(path, run);
  try {
    return await run;
  } finally {
    if (queues.get(path) === run) queues.delete(path);
  }
}

async function acquire(path: string, opts: FileLockOptions): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const staleMs = opts.staleMs ?? 10 * 60_000;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isAbandoned(path, staleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new FleetError('TIMEOUT', `another fleetdeck process has held the lock ${path} for too long`, 'Wait for the other fleetdeck command to finish; if none is running, delete the lock file.', { path });
    }
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 75));
  }
}

async function isAbandoned(path: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const owner = JSON.parse(text) as { pid?: number; host?: string };
    if (owner.host !== hostname() || typeof owner.pid !== 'number') return false;
    try {
      process.kill(owner.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // Half-written or vanished lock file: let the next attempt decide.
    return false;
  }
}
