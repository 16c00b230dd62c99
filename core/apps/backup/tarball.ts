import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { create, extract } from 'tar';
import { NotFoundError, ValidationError } from '../../errors.js';

/**
 * Packs `paths` (files or directories, relative to `sourceDir`) into a gzip-compressed tar file. Entries keep
 * their relative paths, so a restore recreates the same layout under its target directory.
 */
export async function packTarGz(sourceDir: string, paths: readonly string[], file: string): Promise<void> {
  if (paths.length === 0) throw new ValidationError('nothing to back up: no paths were given', 'Name at least one file or directory.');
  for (const path of paths) {
    const clean = normalize(path);
    if (isAbsolute(path) || clean === '..' || clean.startsWith(`..${sep}`)) {
      throw new ValidationError(`backup path "${path}" is outside ${sourceDir}`,
        'Give paths relative to the source directory, without "..".', 'paths');
    }
    try {
      await stat(join(sourceDir, clean));
    } catch {
      throw new NotFoundError('backup path', join(sourceDir, clean), 'Check the path exists on the machine taking the backup.');
    }
  }
  await create({ gzip: true, file, cwd: sourceDir, portable: true }, paths.map((p) => normalize(p)));
}

/** Unpacks a tar.gz into `targetDir` (created if missing). tar refuses absolute and ".." entry paths. */
export async function unpackTarGz(file: string, targetDir: string): Promise<void> {
  await mkdir(targetDir, { recursive: true });
  await extract({ file, cwd: targetDir, strict: true });
}
