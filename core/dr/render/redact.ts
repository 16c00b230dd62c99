/** Secret HTTP headers never reach logs, the TUI, the audit log or --json: their values are replaced before display. */
import type { Action } from '../schema/types.js';

export const REDACTED = '******';

/** Headers treated as secret even when `secretHeaders` does not list them. */
export const ALWAYS_SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token'];

export function isSecretHeader(action: Action, header: string): boolean {
  const lower = header.toLowerCase();
  return ALWAYS_SECRET_HEADERS.includes(lower) || (action.http?.secretHeaders ?? []).some((h) => h.toLowerCase() === lower);
}

/** A copy of the action (and its rollback) with secret header values replaced by ******. */
export function redactAction(action: Action): Action {
  const out: Action = { ...action };
  if (action.http?.headers) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(action.http.headers)) headers[k] = isSecretHeader(action, k) ? REDACTED : v;
    out.http = { ...action.http, headers };
  }
  if (action.rollback) out.rollback = redactAction(action.rollback);
  return out;
}

/** The secret values present in an action, so a caller can scrub them from free text such as an error message. */
export function secretValues(action: Action): string[] {
  const values = Object.entries(action.http?.headers ?? {})
    .filter(([k]) => isSecretHeader(action, k))
    .map(([, v]) => v.replace(/^(Bearer|Basic)\s+/i, ''))
    .filter((v) => v.length >= 4);
  return action.rollback ? [...values, ...secretValues(action.rollback)] : values;
}
