import { describe, expect, it } from 'vitest';
import { BackupKey, parseBackupTarget } from '../../../../core/apps/backup/index.js';
import { KEY_HEX, visible } from './fixtures.js';
import { FleetError } from '../../../../core/errors.js';

function failure(run: () => unknown): FleetError {
  try {
    run();
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('expected a FleetError');
}

describe('the backup key', () => {
  it('reads 64 hex digits or base64 from the configured variable, and both give the same key', () => {
    const hex = BackupKey.fromEnv({ FLEETDECK_BACKUP_KEY: KEY_HEX });
    const b64 = BackupKey.fromEnv({ MY_KEY: Buffer.from(KEY_HEX, 'hex').toString('base64') }, 'MY_KEY');
    expect(b64.id).toBe(hex.id);
    expect(b64.variable).toBe('MY_KEY');
  });

  it('says which variable is missing', () => {
    const error = failure(() => BackupKey.fromEnv({}));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('FLEETDECK_BACKUP_KEY is not set');
    expect(error.hint).toContain('openssl rand -hex 32');
  });

  it('refuses a key of the wrong length without echoing it', () => {
    const short = KEY_HEX.slice(0, 40);
    const error = failure(() => BackupKey.fromEnv({ FLEETDECK_BACKUP_KEY: short }));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('not a 32-byte key');
    expect(visible(error)).not.toContain(short);
  });
});

describe('backup targets', () => {
  it('parses s3://BUCKET/PREFIX and directories', () => {
    expect(parseBackupTarget('s3://fleet-backups/prod/redis/')).toEqual({ kind: 's3', bucket: 'fleet-backups', prefix: 'prod/redis' });
    expect(parseBackupTarget('s3://fleet-backups')).toEqual({ kind: 's3', bucket: 'fleet-backups', prefix: '' });
    expect(parseBackupTarget('/var/backups/fleetdeck')).toEqual({ kind: 'local', dir: '/var/backups/fleetdeck' });
    expect(failure(() => parseBackupTarget('s3://Bad_Bucket/x')).code).toBe('VALIDATION');
    expect(failure(() => parseBackupTarget('gs://bucket/x')).message).toContain('unsupported scheme');
  });
});
