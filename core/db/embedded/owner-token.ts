import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The secret that lets a process talk to the owner of an embedded data directory. Anyone on the machine
 * can connect to the owner's abstract socket; only someone who can read this 0600 file in the 0700 data
 * directory (the same OS user) can say hello. The owner writes a fresh one each time it takes over.
 */
export const TOKEN_FILE = 'owner.token';

export function newOwnerToken(): string {
  return randomBytes(32).toString('hex');
}

/** Written atomically, so a reader sees the old token or the new one, never half of one. */
export function writeOwnerToken(dataDir: string, token: string): void {
  const path = join(dataDir, TOKEN_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, token, { mode: 0o600 });
  renameSync(temp, path);
}

/** The current owner's token, or null when there is none yet (no owner ever, or it is being written). */
export function readOwnerToken(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Constant-time comparison; hashing first gives both sides the same length. */
export function tokensMatch(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
