export type { GitRemote, BranchWriteResult, BranchArchiveResult } from './types.js';
export { RESERVED_BRANCHES, isReservedBranch } from './types.js';
export { SimpleGitRemote, type SimpleGitRemoteOptions } from './simple-git-remote.js';
export { renderWhoamiManifests, ingressHost, DEPLOY_DIR, type ManifestOptions } from './manifests.js';
export { withFileLock, type FileLockOptions } from './file-lock.js';
export { gitRemoteError } from './git-errors.js';
