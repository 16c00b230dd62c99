/**
 * Go's view of template data: how a value prints (`%v`), when it is true (`if`), when it is empty (`default`),
 * and how two values compare (`eq`, `lt`). Data is plain JSON-like values: objects are Go maps.
 */

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's `%v` of a value. nil prints empty (Helm-style; Go itself prints `<no value>`). */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return formatV(value);
}

/** `%v` as Go's fmt prints it inside containers: nil is `<nil>`, lists `[a b]`, maps `map[k:v]` with sorted keys. */
export function formatV(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatV).join(' ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (isDict(value)) {
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${formatV(value[k])}`)
      .join(' ')}]`;
  }
  return String(value);
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const abs = Math.abs(n);
  // Go's %v for floats is %g: exponent form for very large or small magnitudes.
  if (abs >= 1e21 || abs < 1e-4) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** Go's `truth`: false, 0, nil, "" and empty lists and maps are false. */
export function isTrue(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isDict(value)) return Object.keys(value).length > 0;
  return true;
}

/** Sprig's `empty`, used by `default`, `coalesce` and `required`-like checks: the same as not true. */
export function isEmpty(value: unknown): boolean {
  return !isTrue(value);
}

/** Go's `%q` (strconv.Quote) of a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's name for a value's type in error messages. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  if (isDict(value)) return 'map[string]interface {}';
  return typeof value;
}

type Basic = 'string' | 'number' | 'boolean' | 'nil';
function basicKind(value: unknown): Basic | null {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return null;
}

/** Go's `eq` of two values; throws a message for values Go cannot compare. */
export function goEqual(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka === null || kb === null) throw new Error(`non-comparable type ${goTypeName(ka === null ? a : b)}`);
  if (ka !== kb) throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  return a === b;
}

/** Go's `lt`: numbers with numbers, strings with strings. */
export function goLess(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  if (ka === 'number' || ka === 'string') return (a as number | string) < (b as number | string);
  throw new Error(`invalid type for comparison: ${goTypeName(a)}`);
}
