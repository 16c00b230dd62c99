import type { BackupStore, StoredObject } from './backup-store.js';
import type { S3Client } from './s3-client.js';

/** Backups as objects under `s3://bucket/prefix/<group>/<archive>`. */
export class S3BackupStore implements BackupStore {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    prefix: string,
  ) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    this.prefix = trimmed === '' ? '' : `${trimmed}/`;
    this.location = `s3://${bucket}/${this.prefix}`;
  }

  put(key: string, sourceFile: string): Promise<void> {
    return this.client.putObject(this.bucket, this.prefix + key, sourceFile);
  }

  get(key: string, targetFile: string): Promise<void> {
    return this.client.getObject(this.bucket, this.prefix + key, targetFile);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects = await this.client.listObjects(this.bucket, this.prefix + prefix);
    return objects
      .filter((o) => o.key.startsWith(this.prefix))
      .map((o) => ({ key: o.key.slice(this.prefix.length), size: o.size }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  toJSON(): { location: string; endpoint: string } {
    return { location: this.location, endpoint: this.client.endpoint };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `S3BackupStore(${this.location} at ${this.client.endpoint})`;
  }

  delete(key: string): Promise<void> {
    return this.client.deleteObject(this.bucket, this.prefix + key);
  }
}
