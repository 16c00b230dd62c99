import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../core/clock.js';
import {
  BackupKey, LocalBackupStore, createBackup, inspectArchiveFile, listBackups, pruneBackups, restoreArchiveFile, restoreBackup,
} from '../../../../core/apps/backup/index.js';
import type { BackupAlgorithm } from '../../../../core/apps/backup/index.js';
import { KEY_HEX, OTHER_KEY_HEX, caught, middlewareData, readTree, removeTempDirs, tempDir, visible } from './fixtures.js';

afterEach(removeTempDirs);

const key = BackupKey.fromText(KEY_HEX);

describe.each<BackupAlgorithm>(['aes256-gcm', 'aes256-cbc'])('a %s backup in a local directory', (algorithm) => {
  it('restores exactly the files that were backed up', async () => {
    const { dir, files } = await middlewareData();
    const store = new LocalBackupStore(await tempDir());
    const created = await createBackup({ group: 'cache-redis', sourceDir: dir, store, key, algorithm });

    expect(created.manifest).toMatchObject({ group: 'cache-redis', algorithm, keyId: key.id });
    expect(created.manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = await listBackups(store, 'cache-redis');
    expect(listed).toEqual([{ name: created.backup.name, group: 'cache-redis', size: created.backup.size,
      createdAt: created.manifest.createdAt, algorithm }]);

    const target = join(await tempDir(), 'restored');
    const manifest = await restoreBackup({ store, name: created.backup.name, key, targetDir: target });
    expect(manifest.sha256).toBe(created.manifest.sha256);
    expect(await readTree(target)).toEqual(files);
  });

  it('never writes the key into the archive or its manifest', async () => {
    const { dir } = await middlewareData();
    const root = await tempDir();
    const created = await createBackup({ group: 'cache-redis', sourceDir: dir, store: new LocalBackupStore(root), key, algorithm });
    const archive = await readFile(join(root, created.backup.name));
    expect(archive.includes(Buffer.from(KEY_HEX, 'hex'))).toBe(false);
    expect(archive.includes(Buffer.from(KEY_HEX))).toBe(false);
    expect(archive.includes(Buffer.from(Buffer.from(KEY_HEX, 'hex').toString('base64')))).toBe(false);
    const manifest = await inspectArchiveFile(join(root, created.backup.name));
    expect(JSON.stringify(manifest)).not.toContain(KEY_HEX);
    expect(JSON.stringify(key)).not.toContain(KEY_HEX);
    expect(String(key)).not.toContain(KEY_HEX);
  });

  it('refuses an archive whose ciphertext had one byte flipped, and restores nothing', async () => {
    const { dir } = await middlewareData();
    const root = await tempDir();
    const store = new LocalBackupStore(root);
    const { backup } = await createBackup({ group: 'cache-redis', sourceDir: dir, store, key, algorithm });
    const file = join(root, backup.name);
    const bytes = await readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    await writeFile(file, bytes);

    const target = join(await tempDir(), 'restored');
    const error = await caught(restoreBackup({ store, name: backup.name, key, targetDir: target }));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^checksum mismatch in backup .*cache-redis/);
    expect(error.message).toContain('nothing was restored');
    expect(existsSync(target)).toBe(false);
  });

  it('refuses an archive whose manifest checksum was edited', async () => {
    const { dir } = await middlewareData();
    const root = await tempDir();
    const store = new LocalBackupStore(root);
    const { backup, manifest } = await createBackup({ group: 'cache-redis', sourceDir: dir, store, key, algorithm });
    const file = join(root, backup.name);
    const forged = manifest.sha256.startsWith('0') ? `1${manifest.sha256.slice(1)}` : `0${manifest.sha256.slice(1)}`;
    const bytes = Buffer.from((await readFile(file)).toString('latin1').replace(manifest.sha256, forged), 'latin1');
    await writeFile(file, bytes);
    expect((await inspectArchiveFile(file)).sha256).toBe(forged);

    const error = await caught(restoreArchiveFile(file, key, join(await tempDir(), 'restored')));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^checksum mismatch/);
  });

  it('reports an edited key id as tampering, not as a wrong key', async () => {
    const { dir } = await middlewareData();
    const root = await tempDir();
    const store = new LocalBackupStore(root);
    const { backup, manifest } = await createBackup({ group: 'cache-redis', sourceDir: dir, store, key, algorithm });
    const file = join(root, backup.name);
    const forged = BackupKey.fromText(OTHER_KEY_HEX).id;
    await writeFile(file, Buffer.from((await readFile(file)).toString('latin1').replace(manifest.keyId, forged), 'latin1'));
    expect((await inspectArchiveFile(file)).keyId).toBe(forged);

    const target = join(await tempDir(), 'restored');
    const error = await caught(restoreArchiveFile(file, key, target));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^checksum mismatch/);
    expect(error.message).toContain('manifest was altered');
    expect(error.details['reason']).toBe('tampered');
    expect(existsSync(target)).toBe(false);
    // With the key the forged id names, the archive does not authenticate either: still tampering, not success.
    expect((await caught(restoreArchiveFile(file, BackupKey.fromText(OTHER_KEY_HEX), target))).code).toBe('VALIDATION');
  });

  it('refuses a wrong key with a clear error that shows neither key', async () => {
    const { dir } = await middlewareData();
    const store = new LocalBackupStore(await tempDir());
    const { backup } = await createBackup({ group: 'cache-redis', sourceDir: dir, store, key, algorithm });
    const wrong = BackupKey.fromText(OTHER_KEY_HEX);
    const target = join(await tempDir(), 'restored');
    const error = await caught(restoreBackup({ store, name: backup.name, key: wrong, targetDir: target }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('encrypted with a different key');
    expect(error.hint).toContain('set FLEETDECK_BACKUP_KEY to it');
    expect(visible(error)).not.toContain(KEY_HEX);
    expect(visible(error)).not.toContain(OTHER_KEY_HEX);
    expect(existsSync(target)).toBe(false);
  });
});

describe('backup retention and listing', () => {
  it('keeps the newest N backups of a group and leaves other groups and foreign files alone', async () => {
    const { dir } = await middlewareData();
    const root = await tempDir();
    const store = new LocalBackupStore(root);
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const names: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      names.push((await createBackup({ group: 'cache-redis', sourceDir: dir, paths: ['redis.conf'], store, key, clock })).backup.name);
      clock.advance(60_000);
    }
    await createBackup({ group: 'queue-redis', sourceDir: dir, paths: ['redis.conf'], store, key, clock });
    await writeFile(join(root, 'cache-redis', 'README.txt'), 'operator notes');

    const last = await createBackup({ group: 'cache-redis', sourceDir: dir, paths: ['redis.conf'], store, key, clock, keep: 2 });
    expect(last.pruned.sort()).toEqual(names.slice(0, 3).sort());
    const kept = await listBackups(store, 'cache-redis');
    expect(kept.map((b) => b.name)).toEqual([last.backup.name, names[3]]);
    expect(kept[0]?.createdAt).toBe('2026-03-01T10:04:00.000Z');
    expect(await listBackups(store, 'queue-redis')).toHaveLength(1);
    expect((await readdir(join(root, 'cache-redis'))).sort()).toContain('README.txt');

    expect(await pruneBackups(store, 'cache-redis', 1)).toEqual([names[3]]);
    const error = await caught(pruneBackups(store, 'cache-redis', 0));
    expect(error.code).toBe('VALIDATION');
  });

  it('backs up only the named paths and reports a missing one before writing anything', async () => {
    const { dir, files } = await middlewareData();
    const root = await tempDir();
    const store = new LocalBackupStore(root);
    const { backup } = await createBackup({ group: 'cache-redis', sourceDir: dir, paths: ['redis.conf', 'appendonlydir'], store, key });
    const target = await tempDir();
    await restoreBackup({ store, name: backup.name, key, targetDir: target });
    expect(Object.keys(await readTree(target)).sort()).toEqual(['appendonlydir/appendonly.aof.1.incr.aof', 'redis.conf']);
    expect((await readTree(target))['redis.conf']).toEqual(files['redis.conf']);

    const missing = await caught(createBackup({ group: 'cache-redis', sourceDir: dir, paths: ['nope.rdb'], store, key }));
    expect(missing.code).toBe('NOT_FOUND');
    const escaping = await caught(createBackup({ group: 'cache-redis', sourceDir: dir, paths: ['../etc'], store, key }));
    expect(escaping.code).toBe('VALIDATION');
    const badGroup = await caught(createBackup({ group: '../x', sourceDir: dir, store, key }));
    expect(badGroup.code).toBe('VALIDATION');
    expect(await listBackups(store, 'cache-redis')).toHaveLength(1);
  });
});
