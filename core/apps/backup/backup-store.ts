/** An object in a backup store; `key` is relative to the store's root (a directory or an S3 prefix). */
export interface StoredObject {
  key: string;
  size: number;
}

/**
 * The BackupStore port: where encrypted archives live. Adapters: a local directory and an S3-compatible
 * object store. Keys use "/" as separator. Every adapter is given whole files, so large archives never sit in memory.
 */
export interface BackupStore {
  /** Where the store points, fit for people and logs (never credentials), e.g. "s3://bucket/prefix/". */
  readonly location: string;
  put(key: string, sourceFile: string): Promise<void>;
  /** Downloads to `targetFile`; a NotFoundError when the key does not exist. */
  get(key: string, targetFile: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}
