import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cipher, CipherGCM, Decipher, Hmac } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { FleetError, ValidationError } from '../../errors.js';
import {
  HEADER_PREFIX_BYTES, decodeManifest, encodeHeader, manifestLength, trailerLength,
} from './archive-format.js';
import type { BackupAlgorithm, BackupManifest } from './archive-format.js';
import type { BackupKey } from './backup-key.js';

const CHUNK = 1024 * 1024;

/** CBC needs two keys (encrypt-then-MAC); both are derived from the one configured key. */
function cbcKeys(key: BackupKey): { enc: Buffer; mac: Buffer } {
  const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', key.material(), Buffer.alloc(0), info, 32));
  return { enc: derive('fleetdeck backup aes256-cbc enc'), mac: derive('fleetdeck backup aes256-cbc mac') };
}

export async function sha256OfFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await forEachChunk(file, 0, Number.MAX_SAFE_INTEGER, (chunk) => {
    hash.update(chunk);
    size += chunk.length;
  });
  return { sha256: hash.digest('hex'), size };
}

export interface EncryptInput {
  plainFile: string;
  archiveFile: string;
  key: BackupKey;
  algorithm: BackupAlgorithm;
  group: string;
  createdAt: Date;
}

/** Writes the archive (header, ciphertext, trailer) and returns its manifest. */
export async function encryptArchive(input: EncryptInput): Promise<BackupManifest> {
  const { sha256, size } = await sha256OfFile(input.plainFile);
  const gcm = input.algorithm === 'aes256-gcm';
  const iv = randomBytes(gcm ? 12 : 16);
  const manifest: BackupManifest = {
    format: 'fleetdeck-backup', version: 1, group: input.group, createdAt: input.createdAt.toISOString(),
    algorithm: input.algorithm, iv: iv.toString('base64'), keyId: input.key.id, sha256, size,
  };
  const header = encodeHeader(manifest);
  let cipher: Cipher;
  let gcmCipher: CipherGCM | null = null;
  let mac: Hmac | null = null;
  if (gcm) {
    gcmCipher = createCipheriv('aes-256-gcm', input.key.material(), iv);
    gcmCipher.setAAD(header);
    cipher = gcmCipher;
  } else {
    const keys = cbcKeys(input.key);
    cipher = createCipheriv('aes-256-cbc', keys.enc, iv);
    mac = createHmac('sha256', keys.mac).update(header);
  }
  const out = await open(input.archiveFile, 'w');
  try {
    await out.write(header);
    const emit = async (data: Buffer): Promise<void> => {
      if (data.length === 0) return;
      mac?.update(data);
      await out.write(data);
    };
    await forEachChunk(input.plainFile, 0, Number.MAX_SAFE_INTEGER, (chunk) => emit(cipher.update(chunk)));
    await emit(cipher.final());
    await out.write(gcmCipher ? gcmCipher.getAuthTag() : mac?.digest() ?? Buffer.alloc(0));
  } finally {
    await out.close();
  }
  return manifest;
}

export interface ArchiveHeader {
  manifest: BackupManifest;
  header: Buffer;
  bodyStart: number;
  bodyEnd: number;
  trailer: Buffer;
}

/** Reads and checks the manifest of an archive file, without the key. */
export async function readArchiveHeader(archiveFile: string, label: string): Promise<ArchiveHeader> {
  const { size } = await stat(archiveFile);
  const fh = await open(archiveFile, 'r');
  try {
    const prefix = await readAt(fh, 0, HEADER_PREFIX_BYTES);
    const length = manifestLength(prefix, label);
    const json = await readAt(fh, HEADER_PREFIX_BYTES, length);
    if (json.length < length) throw truncated(label);
    const manifest = decodeManifest(json, label);
    const bodyStart = HEADER_PREFIX_BYTES + length;
    const bodyEnd = size - trailerLength(manifest.algorithm);
    if (bodyEnd < bodyStart) throw truncated(label);
    const trailer = await readAt(fh, bodyEnd, trailerLength(manifest.algorithm));
    return { manifest, header: Buffer.concat([prefix, json]), bodyStart, bodyEnd, trailer };
  } finally {
    await fh.close();
  }
}

/**
 * Decrypts an archive into `plainFile` and proves it is the tar.gz that was backed up: right key, intact
 * ciphertext and manifest, and the manifest's sha256 and size. On any failure `plainFile` is removed.
 */
export async function decryptArchive(archiveFile: string, plainFile: string, key: BackupKey, label: string): Promise<BackupManifest> {
  const head = await readArchiveHeader(archiveFile, label);
  const { manifest } = head;
  if (manifest.keyId !== key.id) {
    // Either another key made it, or someone edited the key id in the manifest. The manifest is authenticated: if
    // the archive checks out with this key once the key id is put back to this key's, only the key id was altered.
    if (await authenticates(archiveFile, head, withKeyId(head.header, manifest.keyId, key.id), key)) {
      const error = checksumMismatch(label, `its manifest was altered (the key id reads ${manifest.keyId}, but the archive was made with key ${key.id})`);
      error.details.reason = 'tampered';
      throw error;
    }
    throw new FleetError('UNAUTHORIZED',
      `backup ${label} was encrypted with a different key (key id ${manifest.keyId}; ${key.describe()} has key id ${key.id})`,
      `To restore it, use the key that was in use when the backup was made: ${key.placeHint()}.`, { keyId: manifest.keyId });
  }
  const iv = Buffer.from(manifest.iv, 'base64');
  let decipher: Decipher;
  try {
    if (manifest.algorithm === 'aes256-gcm') {
      const d = createDecipheriv('aes-256-gcm', key.material(), iv);
      d.setAAD(head.header);
      d.setAuthTag(head.trailer);
      decipher = d;
    } else {
      const keys = cbcKeys(key);
      const mac = createHmac('sha256', keys.mac).update(head.header);
      await forEachChunk(archiveFile, head.bodyStart, head.bodyEnd, (chunk) => { mac.update(chunk); });
      const expected = mac.digest();
      if (expected.length !== head.trailer.length || !timingSafeEqual(expected, head.trailer)) {
        throw checksumMismatch(label, 'its HMAC-SHA256 does not match the contents');
      }
      decipher = createDecipheriv('aes-256-cbc', keys.enc, iv);
    }
  } catch (error) {
    if (error instanceof FleetError) throw error;
    throw checksumMismatch(label, 'its encryption parameters are damaged');
  }

  const hash = createHash('sha256');
  let size = 0;
  const out = await open(plainFile, 'w');
  try {
    const emit = async (data: Buffer): Promise<void> => {
      hash.update(data);
      size += data.length;
      await out.write(data);
    };
    await forEachChunk(archiveFile, head.bodyStart, head.bodyEnd, (chunk) => emit(decipher.update(chunk)));
    let last: Buffer;
    try {
      last = decipher.final();
    } catch {
      throw checksumMismatch(label, manifest.algorithm === 'aes256-gcm'
        ? 'the AES-256-GCM authentication tag does not match the manifest and data'
        : 'the decrypted data has invalid padding');
    }
    await emit(last);
    const sha256 = hash.digest('hex');
    if (sha256 !== manifest.sha256 || size !== manifest.size) {
      throw checksumMismatch(label, `the decrypted tar.gz has sha256 ${sha256} (${size} bytes), the manifest records ${manifest.sha256} (${manifest.size} bytes)`);
    }
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(plainFile, { force: true });
    throw error;
  }
  await out.close();
  return manifest;
}

/** The header bytes with the manifest's key id replaced (same JSON otherwise), length prefix recomputed. */
function withKeyId(header: Buffer, from: string, to: string): Buffer {
  const json = header.subarray(HEADER_PREFIX_BYTES).toString('utf8').replace(`"keyId":${JSON.stringify(from)}`, `"keyId":${JSON.stringify(to)}`);
  const body = Buffer.from(json, 'utf8');
  const prefix = Buffer.from(header.subarray(0, HEADER_PREFIX_BYTES));
  prefix.writeUInt32BE(body.length, HEADER_PREFIX_BYTES - 4);
  return Buffer.concat([prefix, body]);
}

/** Whether the archive's ciphertext and trailer authenticate under `header` with `key` (nothing is written). */
async function authenticates(archiveFile: string, head: ArchiveHeader, header: Buffer, key: BackupKey): Promise<boolean> {
  try {
    const iv = Buffer.from(head.manifest.iv, 'base64');
    if (head.manifest.algorithm === 'aes256-gcm') {
      const decipher = createDecipheriv('aes-256-gcm', key.material(), iv);
      decipher.setAAD(header);
      decipher.setAuthTag(head.trailer);
      await forEachChunk(archiveFile, head.bodyStart, head.bodyEnd, (chunk) => { decipher.update(chunk); });
      decipher.final();
      return true;
    }
    const mac = createHmac('sha256', cbcKeys(key).mac).update(header);
    await forEachChunk(archiveFile, head.bodyStart, head.bodyEnd, (chunk) => { mac.update(chunk); });
    const expected = mac.digest();
    return expected.length === head.trailer.length && timingSafeEqual(expected, head.trailer);
  } catch {
    return false;
  }
}

function checksumMismatch(label: string, why: string): ValidationError {
  const error = new ValidationError(`checksum mismatch in backup ${label}: ${why}; the archive was modified or damaged, nothing was restored`,
    'Do not use this archive; restore an older backup (list them with `fleetdeck apps backups GROUP`).');
  error.details.reason = 'checksum-mismatch';
  return error;
}

function truncated(label: string): ValidationError {
  return new ValidationError(`${label} is not a readable fleetdeck backup archive: it is truncated`,
    'Copy the archive again completely, or restore an older backup.');
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Calls `each` for every chunk of bytes [start, end) of a file, in order. */
async function forEachChunk(file: string, start: number, end: number,
  each: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  const fh = await open(file, 'r');
  try {
    let position = start;
    for (;;) {
      const want = Math.min(CHUNK, end - position);
      if (want <= 0) break;
      const chunk = await readAt(fh, position, want);
      if (chunk.length === 0) break;
      await each(chunk);
      position += chunk.length;
    }
  } finally {
    await fh.close();
  }
}
