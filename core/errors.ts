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

export function asFleetError(error: unknown): FleetError {
  if (error instanceof FleetError) return error;
  return new FleetError('INTERNAL', errorMessage(error), 'This is a bug in fleetdeck; please report it with the command you ran.');
}

/** Exit codes: 0 ok, 1 failure, 2 usage or validation error. */
export function exitCodeFor(error: FleetError): number {
  return error.code === 'VALIDATION' || error.code === 'READONLY' ? 2 : 1;
}
