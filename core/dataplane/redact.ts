/** Installer output is kept (task journal, `l` in the cockpit) only as a redacted tail. */

/** `password: x`, `token=x`, `"secret":"x"`: a credential-like key assigned a value (not prose like "the Secret foo"). */
const SECRET_ASSIGNMENT = /(token|password|passwd|secret|api[_-]?key|private[_-]?key)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi;
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g;

/** Masks credentials that look like credentials, and every value in `known` (e.g. the cluster's storage passwords). */
export function redact(text: string, known: readonly string[] = []): string {
  let out = text.replace(PEM, '[redacted PEM block]').replace(SECRET_ASSIGNMENT, '$1$2***').replace(BEARER, '$1***');
  for (const value of known) {
    if (value.length >= 4) out = out.split(value).join('***');
  }
  return out;
}

/** The last `lines` non-empty lines (at most `maxChars`), redacted. */
export function outputTail(text: string, lines = 40, maxChars = 4000, known: readonly string[] = []): string {
  const kept = redact(text, known).split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0).slice(-lines).join('\n');
  return kept.length > maxChars ? `…${kept.slice(-maxChars)}` : kept;
}
