import { ValidationError } from '../../errors.js';

/**
 * A backup archive is one file:
 *   "FDBACKUP" | u32 big-endian manifest length | manifest JSON | ciphertext of the tar.gz | trailer
 * The trailer is the GCM tag (16 bytes) or the CBC HMAC-SHA256 (32 bytes). The manifest bytes are authenticated
 * too (GCM additional data, or inside the HMAC), so neither the data nor its description can be altered unnoticed.
 */
export const ARCHIVE_MAGIC = Buffer.from('FDBACKUP', 'ascii');
export const ARCHIVE_EXTENSION = '.fdbk';
const MAX_MANIFEST_BYTES = 64 * 1024;

export const BACKUP_ALGORITHMS = ['aes256-gcm', 'aes256-cbc'] as const;
export type BackupAlgorithm = (typeof BACKUP_ALGORITHMS)[number];

export interface BackupManifest {
  format: 'fleetdeck-backup';
  version: 1;
  group: string;
  createdAt: string;
  algorithm: BackupAlgorithm;
  /** base64 */
  iv: string;
  /** Fingerprint of the key (not the key): lets a restore tell a wrong key from a damaged archive. */
  keyId: string;
  /** sha256 (hex) of the plaintext tar.gz. */
  sha256: string;
  /** Bytes of the plaintext tar.gz. */
  size: number;
}

export function trailerLength(algorithm: BackupAlgorithm): number {
  return algorithm === 'aes256-gcm' ? 16 : 32;
}

export function isBackupAlgorithm(value: string): value is BackupAlgorithm {
  return (BACKUP_ALGORITHMS as readonly string[]).includes(value);
}

export function encodeHeader(manifest: BackupManifest): Buffer {
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([ARCHIVE_MAGIC, length, json]);
}

/** Bytes needed to know the header length. */
export const HEADER_PREFIX_BYTES = ARCHIVE_MAGIC.length + 4;

/** The manifest length from the first HEADER_PREFIX_BYTES, or an error naming the file. */
export function manifestLength(prefix: Buffer, label: string): number {
  if (prefix.length < HEADER_PREFIX_BYTES || !prefix.subarray(0, ARCHIVE_MAGIC.length).equals(ARCHIVE_MAGIC)) {
    throw notAnArchive(label, 'it does not start with the fleetdeck backup signature');
  }
  const length = prefix.readUInt32BE(ARCHIVE_MAGIC.length);
  if (length === 0 || length > MAX_MANIFEST_BYTES) throw notAnArchive(label, 'its manifest length is implausible');
  return length;
}

export function decodeManifest(json: Buffer, label: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    throw notAnArchive(label, 'its manifest is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw notAnArchive(label, 'its manifest is not an object');
  const m = value as Record<string, unknown>;
  const text = (field: string): string => {
    const v = m[field];
    if (typeof v !== 'string' || v === '') throw notAnArchive(label, `its manifest has no "${field}"`);
    return v;
  };
  if (m.format !== 'fleetdeck-backup') throw notAnArchive(label, 'its manifest format is not "fleetdeck-backup"');
  if (m.version !== 1) {
    throw new ValidationError(`backup ${label} has manifest version ${String(m.version)}, which this fleetdeck cannot read`,
      'Restore it with the fleetdeck version that wrote it, or upgrade fleetdeck.');
  }
  const algorithm = text('algorithm');
  if (!isBackupAlgorithm(algorithm)) {
    throw notAnArchive(label, `its algorithm "${algorithm}" is not one of ${BACKUP_ALGORITHMS.join(', ')}`);
  }
  const size = m.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw notAnArchive(label, 'its manifest has no valid "size"');
  return {
    format: 'fleetdeck-backup',
    version: 1,
    group: text('group'),
    createdAt: text('createdAt'),
    algorithm,
    iv: text('iv'),
    keyId: text('keyId'),
    sha256: text('sha256'),
    size,
  };
}

function notAnArchive(label: string, why: string): ValidationError {
  return new ValidationError(`${label} is not a readable fleetdeck backup archive: ${why}`,
    'Pass a file written by `fleetdeck apps backup`, and check it was copied completely.');
}

const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

export function assertGroupName(group: string): void {
  if (!GROUP_NAME.test(group)) {
    throw new ValidationError(`"${group}" is not a valid group name`,
      'Use lowercase letters, digits, "-" and "." (a Kubernetes resource name), at most 63 characters.', 'group');
  }
}

/** Store key of a backup: `<group>/<yyyymmddThhmmssSSSZ>-<algorithm>-<random>.fdbk`; it sorts by time. */
export function backupObjectName(group: string, createdAt: Date, algorithm: BackupAlgorithm, random: string): string {
  const stamp = createdAt.toISOString().replace(/[-:.]/g, '');
  return `${group}/${stamp}-${algorithm}-${random}${ARCHIVE_EXTENSION}`;
}

const NAME_PATTERN = /^([a-z0-9][-a-z0-9.]*)\/(\d{8}T\d{9}Z)-(aes256-gcm|aes256-cbc)-([0-9a-f]+)\.fdbk$/;

export interface ParsedBackupName {
  group: string;
  createdAt: string;
  algorithm: BackupAlgorithm;
}

/** null for keys that are not backups written by fleetdeck (they are left alone by listing and retention). */
export function parseBackupName(name: string): ParsedBackupName | null {
  const match = NAME_PATTERN.exec(name);
  if (!match) return null;
  const [, group, stamp, algorithm] = match;
  if (group === undefined || stamp === undefined || algorithm === undefined || !isBackupAlgorithm(algorithm)) return null;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:`
    + `${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`;
  return { group, createdAt: iso, algorithm };
}
