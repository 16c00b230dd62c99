import { accessSync, chmodSync, constants, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../errors.js';

/**
 * The embedded database's files belong to one OS user: directories 0700, files 0600. PGlite unpacks its
 * initial cluster with 0666 files and 0755 directories, so the tree is tightened after it is created.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = statSync(dir);
    if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(dir, 0o700);
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw dataDirError(dir, error);
  }
}

/** Removes group and other permissions from every file and directory under `root` (symlinks left alone). */
export function restrictTree(root: string): void {
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(root);
}

/** True when a file PGlite writes once at creation still has group or other bits (the tree was never tightened). */
export function needsRestricting(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

function dataDirError(dir: string, error: unknown): FleetError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new FleetError('UNAVAILABLE', `cannot use the data directory ${dir}: permission denied`,
      'It belongs to another OS user; use your own with --data-dir, or run fleetdeck as its owner.');
  }
  return new FleetError('UNAVAILABLE', `cannot create the data directory ${dir}: ${code ?? (error as Error).message}`,
    'Check that the path is a directory you can write, or choose another with --data-dir.');
}
