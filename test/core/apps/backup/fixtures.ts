import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FleetError } from '../../../../core/errors.js';

/** Canary keys: tests assert these never show up in archives, manifests or errors. */
export const KEY_HEX = 'c0ffee00'.repeat(8);
export const OTHER_KEY_HEX = 'deadbeef'.repeat(8);

const dirs: string[] = [];

export async function tempDir(name = 'fleetdeck-backup-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), name));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A small middleware data directory: a config file, an AOF in a subdirectory and some binary data. */
export async function middlewareData(): Promise<{ dir: string; files: Record<string, Buffer> }> {
  const dir = await tempDir('fleetdeck-data-');
  const files: Record<string, Buffer> = {
    'redis.conf': Buffer.from('port 6379\nmaxmemory 256mb\nappendonly yes\n'),
    'appendonlydir/appendonly.aof.1.incr.aof': Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n'),
    'dump.rdb': randomBytes(200_000),
  };
  for (const [path, body] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  return { dir, files };
}

export async function readTree(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full).split('\\').join('/')] = await readFile(full);
  }
  return out;
}

export async function caught(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw new Error(`expected a FleetError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

/** Everything a user could see of an error: message, hint and details. */
export function visible(error: FleetError): string {
  return `${error.message}\n${error.hint}\n${JSON.stringify(error.details)}`;
}
