import { createHmac } from 'node:crypto';
import { ValidationError } from '../../errors.js';

export const DEFAULT_BACKUP_KEY_VARIABLE = 'FLEETDECK_BACKUP_KEY';

/** Where the key came from: an environment variable, or a key file (the sandbox keeps one). */
export type BackupKeySource = { kind: 'env'; variable: string } | { kind: 'file'; path: string };

/**
 * The 32-byte backup key, read from an environment variable or a key file (64 hex digits or base64). The key bytes
 * stay inside this object: it prints as its source and key id only, so it cannot leak through logs or JSON.
 */
export class BackupKey {
  /** A one-way fingerprint stored in manifests, so a restore can say "wrong key" before trying to decrypt. */
  readonly id: string;

  private constructor(
    readonly source: BackupKeySource,
    private readonly bytes: Buffer,
  ) {
    this.id = createHmac('sha256', bytes).update('fleetdeck backup key id v1').digest('hex').slice(0, 16);
  }

  /** `text` holds the key; `source` says where it was read from (default: FLEETDECK_BACKUP_KEY). */
  static fromText(text: string, source: BackupKeySource | string = DEFAULT_BACKUP_KEY_VARIABLE): BackupKey {
    const from: BackupKeySource = typeof source === 'string' ? { kind: 'env', variable: source } : source;
    const trimmed = text.trim();
    const bytes = /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length === 64
      ? Buffer.from(trimmed, 'hex')
      : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      throw new ValidationError(`${describeSource(from)} is not a 32-byte key (expected 64 hex digits or 44 base64 characters)`,
        `Generate one with \`openssl rand -hex 32\` and ${placeIt(from)}.`, from.kind === 'env' ? from.variable : 'keyFile');
    }
    return new BackupKey(from, bytes);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env, variable = DEFAULT_BACKUP_KEY_VARIABLE): BackupKey {
    const text = env[variable];
    if (text === undefined || text.trim() === '') {
      throw new ValidationError(`backups need an encryption key, and ${variable} is not set`,
        `Generate one with \`openssl rand -hex 32\`, keep it safe (restores need the same key) and export ${variable}.`,
        variable);
    }
    return BackupKey.fromText(text, { kind: 'env', variable });
  }

  /** The variable's name, or the key file's path. */
  get variable(): string {
    return this.source.kind === 'env' ? this.source.variable : this.source.path;
  }

  /** "FLEETDECK_BACKUP_KEY" or "the key file /…/backup.key", for messages. */
  describe(): string {
    return describeSource(this.source);
  }

  /** What to do to use another key: "set FLEETDECK_BACKUP_KEY to it" or "write it into /…/backup.key …". */
  placeHint(): string {
    return placeIt(this.source);
  }

  /** The raw key for node:crypto; never log or serialise it. */
  material(): Buffer {
    return this.bytes;
  }

  toJSON(): { source: string; id: string } {
    return { source: this.describe(), id: this.id };
  }

  toString(): string {
    return `BackupKey(${this.describe()}, id ${this.id})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function describeSource(source: BackupKeySource): string {
  return source.kind === 'env' ? source.variable : `the key file ${source.path}`;
}

function placeIt(source: BackupKeySource): string {
  return source.kind === 'env'
    ? `set ${source.variable} to it`
    : `write it into ${source.path} (mode 0600), or set ${DEFAULT_BACKUP_KEY_VARIABLE} to it`;
}
