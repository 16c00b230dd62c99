/**
 * Scrubs token-like text out of tool output before it reaches an error, a log or JSON.
 * Deliberately greedy: a redacted word too many is cheaper than a leaked credential.
 */
const PATTERNS: readonly [RegExp, string][] = [
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+(?::[^/@\s]*)?@/gi, '$1***@'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [REDACTED]'],
  // JSON Web Tokens
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[REDACTED]'],
  // kubeconfig credential fields and key=value / key: value secrets
  [
    /\b(client-key-data|client-certificate-data|certificate-authority-data|token|bearerToken|password|passwd|secret|api[-_]?key|x-api-key|edge[-_]?key)("?\s*[:=]\s*"?)[^\s",}]+/gi,
    '$1$2[REDACTED]',
  ],
  // Portainer access tokens
  [/\bptr_[A-Za-z0-9+/=_-]{8,}/g, '[REDACTED]'],
  // long base64 blobs (keys, certificates, tokens)
  [/[A-Za-z0-9+/]{60,}={0,2}/g, '[REDACTED]'],
];

export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** `https://user:token@host/x.git` → `https://host/x.git`: remote URLs as fleetdeck may show them. */
export function stripUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
