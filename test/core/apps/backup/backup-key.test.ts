import { afterEach, describe, expect, it } from 'vitest';
import { BackupKey, parseBackupTarget } from '../../../../core/apps/backup/index.js';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runTool } from '../../../../core/providers/run-tool.js';
import { sandboxAppsPaths, sandboxBackupKey } from '../../../../src/sandbox/world/apps-seed.js';
import { KEY_HEX, removeTempDirs, tempDir, visible } from './fixtures.js';
import { FleetError } from '../../../../core/errors.js';

afterEach(removeTempDirs);

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

describe('the sandbox\'s key file', () => {
  it('lives outside the backup tree, 0600 in a 0700 directory, and moves there from where earlier versions kept it', async () => {
    const root = await tempDir();
    const legacy = join(root, 'apps', 'backup.key');
    mkdirSync(join(root, 'apps', 'backups'), { recursive: true });
    writeFileSync(legacy, KEY_HEX);
    const key = sandboxBackupKey({ root }, {});
    const { keyFile, backups } = sandboxAppsPaths({ root });
    expect(keyFile).toBe(join(root, 'secrets', 'backup.key'));
    expect(relative(backups, keyFile).startsWith('..')).toBe(true);
    expect(existsSync(legacy)).toBe(false);
    expect(key.id).toBe(BackupKey.fromText(KEY_HEX).id);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'secrets')).mode & 0o777).toBe(0o700);
    expect(JSON.stringify(key)).not.toContain(KEY_HEX);
  });

  it('says how to put another key in the file, not to "set" a path', () => {
    const error = failure(() => BackupKey.fromText('abc', { kind: 'file', path: '/data/sandbox/secrets/backup.key' }));
    expect(error.message).toBe('the key file /data/sandbox/secrets/backup.key is not a 32-byte key (expected 64 hex digits or 44 base64 characters)');
    expect(error.hint).toBe('Generate one with `openssl rand -hex 32` and write it into /data/sandbox/secrets/backup.key (mode 0600), or set FLEETDECK_BACKUP_KEY to it.');
    const key = BackupKey.fromText(KEY_HEX, { kind: 'file', path: '/k' });
    expect(key.placeHint()).toBe('write it into /k (mode 0600), or set FLEETDECK_BACKUP_KEY to it');
  });
});

describe('tools fleetdeck runs', () => {
  it('do not inherit the backup key or the S3 secret', async () => {
    const saved = { ...process.env };
    process.env['FLEETDECK_BACKUP_KEY'] = KEY_HEX;
    process.env['AWS_SECRET_ACCESS_KEY'] = 'canary-s3-secret';
    process.env['FLEETDECK_TEST_VISIBLE'] = 'still-here';
    try {
      const { stdout } = await runTool('env', []);
      expect(stdout).not.toContain(KEY_HEX);
      expect(stdout).not.toContain('canary-s3-secret');
      expect(stdout).toContain('FLEETDECK_TEST_VISIBLE=still-here');
      expect((await runTool('env', [], { env: { AWS_SECRET_ACCESS_KEY: 'given-on-purpose' } })).stdout).toContain('given-on-purpose');
    } finally {
      for (const name of ['FLEETDECK_BACKUP_KEY', 'AWS_SECRET_ACCESS_KEY', 'FLEETDECK_TEST_VISIBLE']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
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
