export { BackupKey, DEFAULT_BACKUP_KEY_VARIABLE } from './backup-key.js';
export { BACKUP_ALGORITHMS, isBackupAlgorithm, parseBackupName } from './archive-format.js';
export type { BackupAlgorithm, BackupManifest } from './archive-format.js';
export type { BackupStore, StoredObject } from './backup-store.js';
export { LocalBackupStore } from './local-store.js';
export { S3Client } from './s3-client.js';
export type { S3ClientOptions } from './s3-client.js';
export { S3BackupStore } from './s3-store.js';
export { signS3Request } from './s3-signing.js';
export type { S3Credentials } from './s3-signing.js';
export { openBackupStore, openBackupTarget, parseBackupTarget, s3SettingsFromEnv } from './backup-target.js';
export type { BackupTarget, S3Settings } from './backup-target.js';
export {
  createBackup, inspectArchiveFile, listBackups, locateArchive, pruneBackups, restoreArchiveFile, restoreBackup,
} from './backup-service.js';
export type { BackupEntry, CreateBackupOptions, CreatedBackup, RestoreOptions } from './backup-service.js';
