import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FleetError, ValidationError } from '../errors.js';

const VERSION = 'v1';

/**
 * AES-256-GCM for credentials at rest. The key comes from FLEETDECK_SECRET_KEY (32 bytes as 64 hex digits or
 * base64). Stored form: `v1:<iv>:<tag>:<ciphertext>`, all base64.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(text: string): SecretBox {
    const trimmed = text.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
    if (key.length !== 32) {
      throw new ValidationError('FLEETDECK_SECRET_KEY is not a 32-byte key',
        'Generate one with `openssl rand -hex 32` and set FLEETDECK_SECRET_KEY to it.');
    }
    return new SecretBox(key);
  }

  /** null when no key is configured: credentials cannot be stored then. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox | null {
    const text = env.FLEETDECK_SECRET_KEY;
    return text ? SecretBox.fromKey(text) : null;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
      throw new FleetError('VALIDATION', 'stored credentials are in an unknown format', 'Register the cluster\'s credentials again.');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new FleetError('UNAUTHORIZED', 'stored credentials cannot be decrypted with FLEETDECK_SECRET_KEY',
        'Set FLEETDECK_SECRET_KEY to the key the credentials were stored with, or register them again.');
    }
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}

export function requireSecretBox(box: SecretBox | null, what: string): SecretBox {
  if (box) return box;
  throw new ValidationError(`${what} needs FLEETDECK_SECRET_KEY to be encrypted at rest, and it is not set`,
    'Generate a key with `openssl rand -hex 32`, export FLEETDECK_SECRET_KEY, and run it again (or use a kubeconfig context).');
}
