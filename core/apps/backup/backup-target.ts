import { ValidationError } from '../../errors.js';
import type { BackupStore } from './backup-store.js';
import { LocalBackupStore } from './local-store.js';
import { S3Client } from './s3-client.js';
import { S3BackupStore } from './s3-store.js';

export type BackupTarget =
  | { kind: 'local'; dir: string }
  | { kind: 's3'; bucket: string; prefix: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://BUCKET/PREFIX` or a directory path. */
export function parseBackupTarget(target: string): BackupTarget {
  const text = target.trim();
  if (text === '') throw new ValidationError('the backup target is empty', 'Pass --to DIR or --to s3://BUCKET/PREFIX.', 'to');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: 'local', dir: text };
  if (!text.toLowerCase().startsWith('s3://')) {
    throw new ValidationError(`backup target "${text}" uses an unsupported scheme`,
      'Use a directory path or s3://BUCKET/PREFIX (MinIO and other S3-compatible stores work through FLEETDECK_S3_ENDPOINT).', 'to');
  }
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new ValidationError(`"${bucket}" is not a valid S3 bucket name`,
      'Bucket names are 3-63 lowercase letters, digits, "." and "-": s3://BUCKET/PREFIX.', 'to');
  }
  return { kind: 's3', bucket, prefix };
}

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * S3 settings from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
 * (or AWS_DEFAULT_REGION, default us-east-1), and FLEETDECK_S3_ENDPOINT (or AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)
 * for S3-compatible stores; without one, AWS S3 of the region.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const endpoint = env.FLEETDECK_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || `https://s3.${region}.amazonaws.com`;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ValidationError('an S3 backup target needs credentials, and AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set',
      'Export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and FLEETDECK_S3_ENDPOINT for MinIO or another S3-compatible store).');
  }
  try {
    new URL(endpoint);
  } catch {
    throw new ValidationError(`S3 endpoint "${endpoint}" is not a URL`, 'Set FLEETDECK_S3_ENDPOINT to e.g. http://minio.local:9000.');
  }
  return { endpoint, region, accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

export function openBackupStore(target: BackupTarget, s3?: S3Settings): BackupStore {
  if (target.kind === 'local') return new LocalBackupStore(target.dir);
  const settings = s3 ?? s3SettingsFromEnv();
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
    },
  });
  return new S3BackupStore(client, target.bucket, target.prefix);
}

/** Parses and opens in one go: `openBackupTarget('s3://backups/prod', process.env)`. */
export function openBackupTarget(target: string, env: NodeJS.ProcessEnv = process.env): BackupStore {
  const parsed = parseBackupTarget(target);
  return openBackupStore(parsed, parsed.kind === 's3' ? s3SettingsFromEnv(env) : undefined);
}
