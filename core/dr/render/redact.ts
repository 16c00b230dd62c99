/**
 * Secrets never reach logs, the TUI, the audit log or --json. What is secret:
 *  - the value of an HTTP header marked secret (secretHeaders, or one of ALWAYS_SECRET_HEADERS), and http.keyData;
 *  - every parameter such a value reads (`Authorization: Bearer {{ .params.token }}` makes `token` secret), wherever
 *    else it is used;
 *  - anything sealed at rest (core/dr/secrets/sealing.ts), shown as ****** when it cannot or must not be opened.
 * Displays redact actions and parameters; recorded outputs and errors are scrubbed of the known secret values.
 */
import type { Action, DRWorkflow } from '../schema/types.js';

export const REDACTED = '******';

/** Headers treated as secret even when `secretHeaders` does not list them. */
export const ALWAYS_SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token'];

/** A sealed value as stored (see secrets/sealing.ts); matched anywhere in text so it never shows. */
export const SEALED_PATTERN = /fleetdeck-sealed:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*/g;

export function isSecretHeader(action: Action, header: string): boolean {
  const lower = header.toLowerCase();
  return ALWAYS_SECRET_HEADERS.includes(lower) || (action.http?.secretHeaders ?? []).some((h) => h.toLowerCase() === lower);
}

/** A copy of the action (and its rollback) with secret header values and the client key replaced by ******. */
export function redactAction(action: Action): Action {
  const out: Action = { ...action };
  if (action.http) {
    const http = { ...action.http };
    if (action.http.headers) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(action.http.headers)) headers[k] = isSecretHeader(action, k) ? REDACTED : v;
      http.headers = headers;
    }
    if (http.keyData) http.keyData = REDACTED;
    out.http = http;
  }
  if (action.rollback) out.rollback = redactAction(action.rollback);
  return out;
}

/** The secret texts of an action as written or rendered: secret header values (also without a Bearer/Basic prefix) and keyData. */
export function secretTexts(action: Action): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(action.http?.headers ?? {})) {
    if (!isSecretHeader(action, k) || typeof v !== 'string') continue;
    out.push(v);
    const bare = v.replace(/^(Bearer|Basic|Token)\s+/i, '');
    if (bare !== v) out.push(bare);
  }
  if (action.http?.keyData) out.push(action.http.keyData);
  return action.rollback ? [...out, ...secretTexts(action.rollback)] : out;
}

/** The secret values present in an action (rendered), to scrub from free text such as an error or a response body. */
export function secretValues(action: Action): string[] {
  return secretTexts(action).filter((v) => v.length >= 4);
}

const PARAM_REF = /\.params\.([A-Za-z_][A-Za-z0-9_]*)|\$\(params\.([A-Za-z_][A-Za-z0-9_]*)\)|index\s+\.params\s+"([A-Za-z_][A-Za-z0-9_]*)"/g;

/** Parameter names a template text reads. */
export function paramRefs(text: string): string[] {
  return [...text.matchAll(PARAM_REF)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter((n) => n !== '');
}

/** Parameters that feed a secret (a secret header value or keyData) in any action or rollback of the workflows. */
export function secretParamNames(workflows: readonly DRWorkflow[]): Set<string> {
  const names = new Set<string>();
  const visit = (action: Action): void => {
    for (const text of secretTexts(action)) for (const n of paramRefs(text)) names.add(n);
    if (action.rollback) visit(action.rollback);
  };
  for (const w of workflows) for (const a of w.spec.actions) visit(a);
  return names;
}

/** Replaces every known secret value, and every sealed value, in a text by ******. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text.replace(SEALED_PATTERN, REDACTED);
  // Longest first, so a value containing another is replaced whole.
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A copy of a JSON-like value with every string scrubbed (scrubText). */
export function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return scrubText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubDeep(v, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, secrets);
    return out as T;
  }
  return value;
}

/** Parameters for display: secret ones (and sealed values) as ******. */
export function redactParams<V>(params: Readonly<Record<string, V>>, secretNames: ReadonlySet<string> = new Set()): Record<string, V | string> {
  const out: Record<string, V | string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = secretNames.has(k) || (typeof v === 'string' && v.startsWith('fleetdeck-sealed:')) ? REDACTED : v;
  return out;
}
