/**
 * Every expected failure is a FleetError: a stable `code` to branch on, a message saying what happened,
 * and a `hint` saying what to do next. Front ends print message and hint; never a stack trace.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'READONLY'
  | 'UNAVAILABLE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'TIMEOUT'
  | 'EXHAUSTED'
  | 'MIGRATION'
  | 'EXTERNAL'
  | 'FILE'
  | 'INTERNAL';

export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, hint: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'FleetError';
    this.code = code;
    this.hint = hint;
    this.details = details;
  }
}

/** Bad input from a user or a file: nothing was changed. CLI exit code 2. */
export class ValidationError extends FleetError {
  readonly field: string | undefined;
  constructor(message: string, hint: string, field?: string) {
    super('VALIDATION', message, hint, field === undefined ? {} : { field });
    this.name = 'ValidationError';
    this.field = field;
  }
}

export class NotFoundError extends FleetError {
  constructor(what: string, name: string, hint: string) {
    super('NOT_FOUND', `${what} "${name}" does not exist`, hint, { what, name });
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends FleetError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, hint, details);
    this.name = 'ConflictError';
  }
}

export class ReadonlyError extends FleetError {
  constructor(action: string) {
    super('READONLY', `"${action}" changes the fleet, and fleetdeck is running read-only`, 'Run it again without --readonly.');
    this.name = 'ReadonlyError';
  }
}

/** The configured database cannot be reached or refuses us: nothing was done. */
export class DatabaseUnavailableError extends FleetError {
  constructor(target: string, reason: string, hint: string) {
    super('UNAVAILABLE', `cannot use the database ${target}: ${reason}`, hint, { target });
    this.name = 'DatabaseUnavailableError';
  }
}

/** A file or directory the user named cannot be read or written. CLI exit code 2. */
export class FileAccessError extends FleetError {
  readonly path: string;
  constructor(path: string, message: string, hint: string) {
    super('FILE', message, hint, { path });
    this.name = 'FileAccessError';
    this.path = path;
  }
}

const FILE_ERROR_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'ENOSPC', 'EEXIST', 'ELOOP', 'ENAMETOOLONG']);

/** Turns a Node file-system error into a FileAccessError naming the path, or null when it is not one. */
export function fileAccessError(error: unknown, action: 'read' | 'write' | 'use', path?: string): FileAccessError | null {
  const e = error as NodeJS.ErrnoException | null;
  if (!e || typeof e.code !== 'string' || !FILE_ERROR_CODES.has(e.code)) return null;
  const where = path ?? e.path ?? 'the file';
  const cannot = `cannot ${action} ${where}`;
  switch (e.code) {
    case 'ENOENT':
      return action === 'write'
        ? new FileAccessError(where, `${cannot}: its directory does not exist`, 'Create the directory first, or choose another path.')
        : new FileAccessError(where, `${cannot}: it does not exist`, 'Check the path.');
    case 'ENOTDIR':
      return new FileAccessError(where, `${cannot}: a part of the path is not a directory`, 'Check the path.');
    case 'EACCES':
    case 'EPERM':
      return new FileAccessError(where, `${cannot}: permission denied`, 'Check the permissions of the file and its directory, or choose another path.');
    case 'EISDIR':
      return new FileAccessError(where, `${cannot}: it is a directory`, 'Give a file name, not a directory.');
    case 'EROFS':
      return new FileAccessError(where, `${cannot}: the file system is read-only`, 'Choose a path on a writable file system.');
    case 'ENOSPC':
      return new FileAccessError(where, `${cannot}: no space left on the device`, 'Free some space, or choose another path.');
    default:
      return new FileAccessError(where, `${cannot}: ${e.code}`, 'Check the path.');
  }
}

/** Normalises anything thrown into a message, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/** SQLSTATE 25P03: the embedded database's owner rolled back this process's idle transaction. */
const IDLE_IN_TRANSACTION_TIMEOUT = '25P03';

export function asFleetError(error: unknown): FleetError {
  if (error instanceof FleetError) return error;
  const files = fileAccessError(error, 'use');
  if (files && (error as NodeJS.ErrnoException).path !== undefined) return files;
  if ((error as { code?: unknown } | null)?.code === IDLE_IN_TRANSACTION_TIMEOUT) {
    return new FleetError('TIMEOUT', errorMessage(error),
      'Nothing of that transaction was kept; run the command again. The limit is embedded.idleTransactionTimeoutSeconds in the config file.');
  }
  return new FleetError('INTERNAL', errorMessage(error), 'This is a bug in fleetdeck; please report it with the command you ran.');
}

/** Exit codes: 0 ok, 1 failure, 2 usage or validation error (including a path that cannot be used). */
export function exitCodeFor(error: FleetError): number {
  return error.code === 'VALIDATION' || error.code === 'READONLY' || error.code === 'FILE' ? 2 : 1;
}
