/**
 * The Database port. Adapters: `pg` against a PostgreSQL server, PGlite embedded in the data directory,
 * and a remote adapter that forwards to the process owning an embedded data directory.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type DatabaseKind = 'postgres' | 'pglite' | 'remote';

export type NotificationHandler = (payload: string) => void;

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Where the data lives, safe to show (credentials removed). */
  readonly target: string;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Several reads that must agree with each other (a cluster's status and its task's, written together): one
 * read-only REPEATABLE READ transaction, so a write committed between two of them is seen by all or by none.
 */
export function readSnapshot<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(tx);
  });
}

/** SQLSTATE codes fleetdeck branches on; never match on message text. */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  notNullViolation: '23502',
  invalidTextRepresentation: '22P02',
  insufficientPrivilege: '42501',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  hostPortsExhausted: 'FDX01',
  subnetsExhausted: 'FDX02',
  appendOnly: 'FDX03',
} as const;

export interface PgErrorLike {
  code: string;
  constraint?: string;
  detail?: string;
  message: string;
}

export function isPgError(error: unknown): error is PgErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code);
}

/** Strips the password from a postgres URL so it can be shown. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
