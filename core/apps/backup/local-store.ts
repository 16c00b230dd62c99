import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { BackupStore, StoredObject } from './backup-store.js';

/** Backups as files under one directory: `<root>/<group>/<archive>`. */
export class LocalBackupStore implements BackupStore {
  readonly root: string;
  readonly location: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  async put(key: string, sourceFile: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    // Copy next to the target and rename, so a reader never sees half an archive.
    const partial = `${target}.${randomBytes(4).toString('hex')}.partial`;
    try {
      await copyFile(sourceFile, partial);
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async get(key: string, targetFile: string): Promise<void> {
    const source = this.pathOf(key);
    try {
      await copyFile(source, targetFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError('backup', source, 'List the group\'s backups with `fleetdeck apps backups GROUP`.');
      }
      throw error;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    let names: string[];
    try {
      names = await readdir(this.root, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const objects: StoredObject[] = [];
    for (const name of names) {
      const key = name.split(sep).join('/');
      if (!key.startsWith(prefix) || key.endsWith('.partial')) continue;
      const info = await stat(join(this.root, name)).catch(() => null);
      if (info?.isFile()) objects.push({ key, size: info.size });
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith('..') || resolve(this.root, rel) !== path) {
      throw new ValidationError(`backup key "${key}" points outside ${this.root}`, 'Use a backup name as listed by `fleetdeck apps backups`.');
    }
    return path;
  }
}
