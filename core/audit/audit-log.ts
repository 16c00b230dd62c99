import { hostname, userInfo } from 'node:os';
import type { Queryable } from '../db/database.js';

/** Who acts: the OS user and host running fleetdeck. */
export interface Actor {
  user: string;
  host: string;
}

export function currentActor(): Actor {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep $USER.
  }
  return { user, host: hostname() };
}

/** `partial`: part of what was asked was done (a CSV import with failed rows). */
export type AuditResult = 'ok' | 'partial' | 'failed' | 'refused' | 'invalid';

export interface AuditEntry {
  action: string;
  target: string | null;
  result: AuditResult;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
  actor: string;
  host: string;
}

export async function recordAudit(db: Queryable, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.query(
    'INSERT INTO audit_log (actor, host, action, target, result, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
    [actor.user, actor.host, entry.action, entry.target, entry.result, JSON.stringify(entry.details ?? {})],
  );
}

export async function listAudit(db: Queryable, limit = 100): Promise<AuditRecord[]> {
  const result = await db.query<{
    id: number; at: Date | string; actor: string; host: string; action: string; target: string | null;
    result: AuditResult; details: Record<string, unknown> | string;
  }>('SELECT id, at, actor, host, action, target, result, details FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
  return result.rows.map((row) => ({
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    host: row.host,
    action: row.action,
    target: row.target,
    result: row.result,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details,
  }));
}
