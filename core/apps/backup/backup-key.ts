import { createHmac } from 'node:crypto';
import { ValidationError } from '../../errors.js';

export const DEFAULT_BACKUP_KEY_VARIABLE = 'FLEETDECK_BACKUP_KEY';

/**
 * The 32-byte backup key, read from an environment variable (64 hex digits or base64). The key bytes stay inside
 * this object: it prints as its variable name and key id only, so it cannot leak through logs or JSON.
 */
export class BackupKey {
  /** A one-way fingerprint stored in manifests, so a restore can say "wrong key" before trying to decrypt. */
  readonly id: string;

  private constructor(
    readonly variable: string,
    private readonly bytes: Buffer,
  ) {
    this.id = createHmac('sha256', bytes).update('fleetdeck backup key id v1').digest('hex').slice(0, 16);
  }

  static fromText(text: string, variable = DEFAULT_BACKUP_KEY_VARIABLE): BackupKey {
    const trimmed = text.trim();
    const bytes = /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length === 64
      ? Buffer.from(trimmed, 'hex')
      : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      throw new ValidationError(`${variable} is not a 32-byte key (expected 64 hex digits or 44 base64 characters)`,
        `Generate one with \`openssl rand -hex 32\` and set ${variable} to it.`, variable);
    }
    return new BackupKey(variable, bytes);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env, variable = DEFAULT_BACKUP_KEY_VARIABLE): BackupKey {
    const text = env[variable];
    if (text === undefined || text.trim() === '') {
      throw new ValidationError(`backups need an encryption key, and ${variable} is not set`,
        `Generate one with \`openssl rand -hex 32\`, keep it safe (restores need the same key) and export ${variable}.`,
        variable);
    }
    return BackupKey.fromText(text, variable);
  }

  /** The raw key for node:crypto; never log or serialise it. */
  material(): Buffer {
    return this.bytes;
  }

  toJSON(): { variable: string; id: string } {
    return { variable: this.variable, id: this.id };
  }

  toString(): string {
    return `BackupKey(${this.variable}, id ${this.id})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
