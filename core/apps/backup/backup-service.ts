import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { ValidationError } from '../../errors.js';
import { assertGroupName, backupObjectName, parseBackupName } from './archive-format.js';
import type { BackupAlgorithm, BackupManifest } from './archive-format.js';
import { decryptArchive, encryptArchive, readArchiveHeader } from './archive-crypto.js';
import type { BackupKey } from './backup-key.js';
import type { BackupStore } from './backup-store.js';
import { LocalBackupStore } from './local-store.js';
import { packTarGz, unpackTarGz } from './tarball.js';

/** One backup as listed: `name` is its key in the store (`<group>/<stamp>-<algorithm>-<id>.fdbk`). */
export interface BackupEntry {
  name: string;
  group: string;
  size: number;
  createdAt: string;
  algorithm: BackupAlgorithm;
}

export interface CreateBackupOptions {
  group: string;
  /** Directory the paths are relative to. */
  sourceDir: string;
  /** Files or directories under sourceDir; default: all of it. */
  paths?: readonly string[];
  store: BackupStore;
  key: BackupKey;
  algorithm?: BackupAlgorithm;
  /** Keep only the newest N backups of the group afterwards. */
  keep?: number;
  clock?: Clock;
}

export interface CreatedBackup {
  backup: BackupEntry;
  manifest: BackupManifest;
  /** Names deleted by retention. */
  pruned: string[];
}

/** tar.gz → sha256 → encrypt → store → retention. Temporary files never outlive the call. */
export async function createBackup(options: CreateBackupOptions): Promise<CreatedBackup> {
  assertGroupName(options.group);
  if (options.keep !== undefined) assertKeep(options.keep);
  const algorithm = options.algorithm ?? 'aes256-gcm';
  const createdAt = (options.clock ?? systemClock).now();
  const work = await mkdtemp(join(tmpdir(), 'fleetdeck-backup-'));
  try {
    const tarFile = join(work, 'data.tar.gz');
    const archiveFile = join(work, 'archive.fdbk');
    await packTarGz(options.sourceDir, options.paths ?? ['.'], tarFile);
    const manifest = await encryptArchive({ plainFile: tarFile, archiveFile, key: options.key, algorithm, group: options.group, createdAt });
    const name = backupObjectName(options.group, createdAt, algorithm, randomBytes(3).toString('hex'));
    await options.store.put(name, archiveFile);
    const backup: BackupEntry = {
      name, group: options.group, size: (await stat(archiveFile)).size, createdAt: manifest.createdAt, algorithm,
    };
    const pruned = options.keep === undefined ? [] : await pruneBackups(options.store, options.group, options.keep);
    return { backup, manifest, pruned };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The group's backups, newest first. Objects that are not fleetdeck archives are ignored. */
export async function listBackups(store: BackupStore, group: string): Promise<BackupEntry[]> {
  assertGroupName(group);
  const entries: BackupEntry[] = [];
  for (const object of await store.list(`${group}/`)) {
    const parsed = parseBackupName(object.key);
    if (parsed?.group !== group) continue;
    entries.push({ name: object.key, group, size: object.size, createdAt: parsed.createdAt, algorithm: parsed.algorithm });
  }
  return entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** Retention by count: keeps the newest `keep` backups of the group, deletes the rest, returns their names. */
export async function pruneBackups(store: BackupStore, group: string, keep: number): Promise<string[]> {
  assertKeep(keep);
  const old = (await listBackups(store, group)).slice(keep);
  for (const entry of old) await store.delete(entry.name);
  return old.map((e) => e.name);
}

export interface RestoreOptions {
  store: BackupStore;
  name: string;
  key: BackupKey;
  targetDir: string;
}

/**
 * Downloads, decrypts and verifies a backup, then unpacks it into targetDir. Nothing is written to targetDir
 * unless the key is right and the checksum matches.
 */
export async function restoreBackup(options: RestoreOptions): Promise<BackupManifest> {
  const work = await mkdtemp(join(tmpdir(), 'fleetdeck-restore-'));
  try {
    const archiveFile = join(work, 'archive.fdbk');
    await options.store.get(options.name, archiveFile);
    return await restoreFromFile(archiveFile, `${options.store.location.replace(/\/?$/, '/')}${options.name}`, options.key, options.targetDir, work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Restores a local archive file (e.g. one copied off the store by hand). */
export async function restoreArchiveFile(archiveFile: string, key: BackupKey, targetDir: string): Promise<BackupManifest> {
  const work = await mkdtemp(join(tmpdir(), 'fleetdeck-restore-'));
  try {
    return await restoreFromFile(archiveFile, archiveFile, key, targetDir, work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The manifest of a local archive file, readable without the key. */
export async function inspectArchiveFile(archiveFile: string): Promise<BackupManifest> {
  return (await readArchiveHeader(archiveFile, archiveFile)).manifest;
}

/**
 * Where a `restore ARCHIVE` argument points: `s3://BUCKET/PREFIX/GROUP/NAME.fdbk` or a file path.
 * Returns the store and the name inside it, ready for restoreBackup.
 */
export function locateArchive(ref: string, openS3: (bucket: string, prefix: string) => BackupStore): { store: BackupStore; name: string } {
  if (ref.startsWith('s3://')) {
    const rest = ref.slice('s3://'.length);
    const parts = rest.split('/').filter((p) => p !== '');
    const bucket = parts[0];
    if (bucket === undefined || parts.length < 3) {
      throw new ValidationError(`"${ref}" does not name a backup archive`, 'Pass s3://BUCKET/PREFIX/GROUP/NAME.fdbk as listed by `fleetdeck apps backups`.');
    }
    const name = parts.slice(-2).join('/');
    return { store: openS3(bucket, parts.slice(1, -2).join('/')), name };
  }
  return { store: new LocalBackupStore(dirname(ref)), name: basename(ref) };
}

async function restoreFromFile(archiveFile: string, label: string, key: BackupKey, targetDir: string, work: string): Promise<BackupManifest> {
  const tarFile = join(work, 'data.tar.gz');
  const manifest = await decryptArchive(archiveFile, tarFile, key, label);
  await unpackTarGz(tarFile, targetDir);
  return manifest;
}

function assertKeep(keep: number): void {
  if (!Number.isSafeInteger(keep) || keep < 1) {
    throw new ValidationError(`retention must keep at least 1 backup, got ${keep}`, 'Pass a whole number of backups to keep, 1 or more.', 'keep');
  }
}
