import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../core/clock.js';
import {
  BackupKey, S3Client, S3BackupStore, createBackup, listBackups, locateArchive, openBackupTarget, restoreBackup, signS3Request,
} from '../../../../core/apps/backup/index.js';
import { startS3Server } from '../../../support/s3-server.js';
import type { S3ServerOptions, S3TestServer } from '../../../support/s3-server.js';
import { closedPort } from '../closed-port.js';
import { KEY_HEX, caught, middlewareData, readTree, removeTempDirs, tempDir, visible } from './fixtures.js';

const servers: S3TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await removeTempDirs();
});

const key = BackupKey.fromText(KEY_HEX);

async function s3(options: S3ServerOptions = {}): Promise<{ server: S3TestServer; env: NodeJS.ProcessEnv }> {
  const server = await startS3Server(options);
  servers.push(server);
  server.createBucket('fleet-backups');
  const env = {
    FLEETDECK_S3_ENDPOINT: server.url, AWS_REGION: server.region,
    AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
  };
  return { server, env };
}

describe('SigV4 signing', () => {
  it('matches the GET Object example of the AWS S3 documentation', () => {
    const headers = signS3Request({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { Range: 'bytes=0-9' },
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, '
      + 'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, '
      + 'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it('matches the list-objects example (sorted, encoded query string)', () => {
    const headers = signS3Request({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2'),
      headers: {},
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(headers.authorization).toContain('Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });
});

describe('backups in an S3-compatible store', () => {
  it('round-trips a backup through s3://BUCKET/PREFIX with signed requests', async () => {
    const { server, env } = await s3();
    const { dir, files } = await middlewareData();
    const store = openBackupTarget('s3://fleet-backups/prod/apps', env);
    expect(store.location).toBe('s3://fleet-backups/prod/apps/');
    const { backup } = await createBackup({ group: 'cache-redis', sourceDir: dir, store, key });

    const stored = [...(server.buckets.get('fleet-backups')?.keys() ?? [])];
    expect(stored).toEqual([`prod/apps/${backup.name}`]);
    expect(await listBackups(store, 'cache-redis')).toEqual([backup]);

    const target = await tempDir();
    await restoreBackup({ store, name: backup.name, key, targetDir: target });
    expect(await readTree(target)).toEqual(files);
    expect(server.requests.every((r) => r.status < 300)).toBe(true);

    // The CLI's `restore ARCHIVE` form names the object directly.
    const located = locateArchive(`s3://fleet-backups/prod/apps/${backup.name}`, (bucket, prefix) => openBackupTarget(`s3://${bucket}/${prefix}`, env));
    expect(located.name).toBe(backup.name);
    expect(located.store.location).toBe('s3://fleet-backups/prod/apps/');
  });

  it('applies retention across several ListObjectsV2 pages', async () => {
    const { server, env } = await s3({ maxKeys: 2 });
    const { dir } = await middlewareData();
    const store = openBackupTarget('s3://fleet-backups/nightly runs+old', env); // a prefix that needs URI encoding when signed
    const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
    const names: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      names.push((await createBackup({ group: 'cache-redis', sourceDir: dir, paths: ['redis.conf'], store, key, clock, keep: 3 })).backup.name);
      clock.advance(3_600_000);
    }
    expect((await listBackups(store, 'cache-redis')).map((b) => b.name)).toEqual(names.slice(2).reverse());
    expect(server.buckets.get('fleet-backups')?.size).toBe(3);
    expect(server.requests.some((r) => r.path.includes('continuation-token='))).toBe(true);
  });

  it('refuses an archive that was altered inside the bucket', async () => {
    const { server, env } = await s3();
    const { dir } = await middlewareData();
    const store = openBackupTarget('s3://fleet-backups', env);
    const { backup } = await createBackup({ group: 'cache-redis', sourceDir: dir, store, key, algorithm: 'aes256-cbc' });
    const object = server.buckets.get('fleet-backups')?.get(backup.name);
    if (!object) throw new Error('backup not stored');
    object.body[object.body.length - 40] = (object.body[object.body.length - 40] ?? 0) ^ 0x80;

    const target = join(await tempDir(), 'restored');
    const error = await caught(restoreBackup({ store, name: backup.name, key, targetDir: target }));
    expect(error.message).toMatch(/^checksum mismatch in backup s3:\/\/fleet-backups\/cache-redis\//);
    expect(existsSync(target)).toBe(false);
  });

  it('reports a wrong secret as UNAUTHORIZED without showing the secret', async () => {
    const { server, env } = await s3();
    const store = openBackupTarget('s3://fleet-backups', { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret-canary-42' });
    const { dir } = await middlewareData();
    const error = await caught(createBackup({ group: 'cache-redis', sourceDir: dir, store, key }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toContain('SignatureDoesNotMatch');
    expect(error.hint).toContain('AWS_SECRET_ACCESS_KEY');
    expect(visible(error)).not.toContain('not-the-secret-canary-42');
    expect(server.buckets.get('fleet-backups')?.size).toBe(0);
  });

  it('never shows the secret access key when a store is printed or serialised', async () => {
    const { env } = await s3();
    const store = openBackupTarget('s3://fleet-backups/prod', env);
    const secret = env.AWS_SECRET_ACCESS_KEY ?? '';
    expect(JSON.stringify(store)).not.toContain(secret);
    expect(inspect(store, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(store)).toContain('s3://fleet-backups/prod/');
  });

  it('reports a missing bucket, a missing object and an unreachable endpoint clearly', async () => {
    const { env } = await s3();
    const missingBucket = await caught(listBackups(openBackupTarget('s3://no-such-bucket', env), 'cache-redis'));
    expect(missingBucket.code).toBe('NOT_FOUND');
    expect(missingBucket.message).toContain('no-such-bucket');

    const store = openBackupTarget('s3://fleet-backups', env);
    const missingObject = await caught(restoreBackup({ store, name: 'cache-redis/20260101T000000000Z-aes256-gcm-abcdef.fdbk', key, targetDir: await tempDir() }));
    expect(missingObject.code).toBe('NOT_FOUND');

    const port = await closedPort();
    const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const down = await caught(listBackups(new S3BackupStore(client, 'fleet-backups', ''), 'cache-redis'));
    expect(down.code).toBe('UNAVAILABLE');
    expect(down.message).toContain(`127.0.0.1:${port}`);
  });

  it('needs credentials for an S3 target', async () => {
    const error = await caught(Promise.resolve().then(() => openBackupTarget('s3://fleet-backups', {})));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('AWS_ACCESS_KEY_ID');
  });
});
