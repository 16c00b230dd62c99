/** `toJson` and `toYaml` as Helm prints them: map keys sorted (Go marshals maps that way), no trailing newline. */
import { stringify } from 'yaml';
import { isDict } from './values.js';

/** Recursively sorts object keys and turns undefined into null, as a Go map[string]interface{} would hold them. */
export function normalizeForEncoding(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(normalizeForEncoding);
  if (value instanceof Date) return value.toISOString();
  if (isDict(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = normalizeForEncoding(value[key]);
    return out;
  }
  return value;
}

/** Go's json.Marshal: sorted keys, and `<`, `>`, `&`, U+2028, U+2029 escaped. */
export function toJson(value: unknown): string {
  return JSON.stringify(normalizeForEncoding(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Helm's toYaml: block style, sorted keys, no line folding, trailing newline removed. */
export function toYaml(value: unknown): string {
  const normalized = normalizeForEncoding(value);
  const text = stringify(normalized, { sortMapEntries: true, lineWidth: 0, minContentWidth: 0 }) ?? 'null\n';
  return text.replace(/\n$/, '');
}
