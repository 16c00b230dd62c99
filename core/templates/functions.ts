/**
 * The functions templates may call: Go's builtins (eq, len, index, printf, ...) and the Sprig/Helm ones that
 * DR plans and plugin templates use (default, quote, toYaml, required, include, indent, dict, ...).
 * `and` and `or` are listed for the parser but evaluated lazily by the executor, as Go does.
 */
import { createHash } from 'node:crypto';
import { toJson, toYaml } from './encode.js';
import { sprintf } from './format.js';
import { formatV, goEqual, goLess, goQuote, goTypeName, isDict, isEmpty, isTrue, printValue } from './values.js';

export interface CallContext {
  /** Renders the named template with `data` (for `include`). */
  include(name: string, data: unknown): string;
  /** Fails the render at the calling command; `required` failures carry the user's message verbatim. */
  fail(reason: 'required' | 'execution', message: string): never;
}

export interface TemplateFunction {
  min: number;
  max: number;
  call(args: unknown[], ctx: CallContext): unknown;
}

/** Sprig's strval: a string as it is, anything else as Go's %v, nil as empty. */
function str(value: unknown): string {
  return printValue(value);
}

function toInt(value: unknown, ctx: CallContext, fn: string): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return ctx.fail('execution', `${fn}: cannot use ${goTypeName(value)} ${JSON.stringify(formatV(value))} as a number`);
}

function indent(spaces: number, text: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  return pad + text.replace(/\n/g, `\n${pad}`);
}

function fn(min: number, max: number, call: TemplateFunction['call']): TemplateFunction {
  return { min, max, call };
}

const compare = (test: (a: unknown, b: unknown) => boolean) =>
  fn(2, 2, ([a, b], ctx) => {
    try {
      return test(a, b);
    } catch (error) {
      return ctx.fail('execution', (error as Error).message);
    }
  });

const BUILTINS: Record<string, TemplateFunction> = {
  // Go builtins
  and: fn(1, Infinity, (args) => args.find((a) => !isTrue(a)) ?? args[args.length - 1]),
  or: fn(1, Infinity, (args) => args.find((a) => isTrue(a)) ?? args[args.length - 1]),
  not: fn(1, 1, ([a]) => !isTrue(a)),
  eq: fn(2, Infinity, ([a, ...rest], ctx) => {
    try {
      return rest.some((b) => goEqual(a, b));
    } catch (error) {
      return ctx.fail('execution', `error calling eq: ${(error as Error).message}`);
    }
  }),
  ne: compare((a, b) => !goEqual(a, b)),
  lt: compare(goLess),
  le: compare((a, b) => goLess(a, b) || goEqual(a, b)),
  gt: compare((a, b) => goLess(b, a)),
  ge: compare((a, b) => goLess(b, a) || goEqual(a, b)),
  len: fn(1, 1, ([a], ctx) => {
    if (typeof a === 'string') return new TextEncoder().encode(a).length;
    if (Array.isArray(a)) return a.length;
    if (isDict(a)) return Object.keys(a).length;
    return ctx.fail('execution', `error calling len: len of type ${goTypeName(a)}`);
  }),
  index: fn(1, Infinity, ([item, ...keys], ctx) => {
    let cur = item;
    for (const key of keys) {
      if (Array.isArray(cur)) {
        if (typeof key !== 'number' || key < 0 || key >= cur.length) return ctx.fail('execution', `error calling index: index out of range: ${formatV(key)}`);
        cur = cur[key];
      } else if (isDict(cur)) {
        cur = Object.prototype.hasOwnProperty.call(cur, String(key)) ? cur[String(key)] : undefined;
      } else if (cur === null || cur === undefined) {
        return ctx.fail('execution', 'error calling index: index of untyped nil');
      } else {
        return ctx.fail('execution', `error calling index: can't index item of type ${goTypeName(cur)}`);
      }
    }
    return cur;
  }),
  print: fn(0, Infinity, (args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatV(a)).join('')),
  println: fn(0, Infinity, (args) => `${args.map(formatV).join(' ')}\n`),
  printf: fn(1, Infinity, ([format, ...rest]) => sprintf(str(format), rest)),
  // Sprig / Helm
  default: fn(1, 2, (args) => (args.length < 2 || isEmpty(args[1]) ? args[0] : args[1])),
  empty: fn(1, 1, ([a]) => isEmpty(a)),
  coalesce: fn(0, Infinity, (args) => args.find((a) => !isEmpty(a)) ?? null),
  ternary: fn(3, 3, ([yes, no, cond]) => (isTrue(cond) ? yes : no)),
  required: fn(2, 2, ([message, value], ctx) => {
    if (value === null || value === undefined || value === '') return ctx.fail('required', str(message));
    return value;
  }),
  quote: fn(0, Infinity, (args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map((a) => goQuote(str(a)))
      .join(' '),
  ),
  squote: fn(0, Infinity, (args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map((a) => `'${str(a)}'`)
      .join(' '),
  ),
  toJson: fn(1, 1, ([a]) => toJson(a)),
  toPrettyJson: fn(1, 1, ([a]) => JSON.stringify(JSON.parse(toJson(a)), null, 2)),
  toYaml: fn(1, 1, ([a]) => toYaml(a)),
  toString: fn(1, 1, ([a]) => str(a)),
  int: fn(1, 1, ([a], ctx) => toInt(a, ctx, 'int')),
  upper: fn(1, 1, ([a]) => str(a).toUpperCase()),
  lower: fn(1, 1, ([a]) => str(a).toLowerCase()),
  title: fn(1, 1, ([a]) => str(a).replace(/(^|\s)(\p{Ll})/gu, (_m, s: string, c: string) => s + c.toUpperCase())),
  trim: fn(1, 1, ([a]) => str(a).trim()),
  trimPrefix: fn(2, 2, ([prefix, a]) => (str(a).startsWith(str(prefix)) ? str(a).slice(str(prefix).length) : str(a))),
  trimSuffix: fn(2, 2, ([suffix, a]) => (str(suffix) !== '' && str(a).endsWith(str(suffix)) ? str(a).slice(0, -str(suffix).length) : str(a))),
  trunc: fn(2, 2, ([n, a], ctx) => {
    const s = str(a);
    const count = toInt(n, ctx, 'trunc');
    return count >= 0 ? s.slice(0, count) : s.slice(Math.max(0, s.length + count));
  }),
  replace: fn(3, 3, ([from, to, a]) => str(a).split(str(from)).join(str(to))),
  contains: fn(2, 2, ([needle, a]) => str(a).includes(str(needle))),
  hasPrefix: fn(2, 2, ([prefix, a]) => str(a).startsWith(str(prefix))),
  hasSuffix: fn(2, 2, ([suffix, a]) => str(a).endsWith(str(suffix))),
  repeat: fn(2, 2, ([n, a], ctx) => str(a).repeat(Math.max(0, toInt(n, ctx, 'repeat')))),
  indent: fn(2, 2, ([n, a], ctx) => indent(toInt(n, ctx, 'indent'), str(a))),
  nindent: fn(2, 2, ([n, a], ctx) => `\n${indent(toInt(n, ctx, 'nindent'), str(a))}`),
  join: fn(2, 2, ([sep, list]) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list))),
  splitList: fn(2, 2, ([sep, a]) => str(a).split(str(sep))),
  list: fn(0, Infinity, (args) => [...args]),
  dict: fn(0, Infinity, (args) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i += 2) out[str(args[i])] = i + 1 < args.length ? args[i + 1] : '';
    return out;
  }),
  hasKey: fn(2, 2, ([d, key]) => isDict(d) && Object.prototype.hasOwnProperty.call(d, str(key))),
  get: fn(2, 2, ([d, key]) => (isDict(d) && Object.prototype.hasOwnProperty.call(d, str(key)) ? d[str(key)] : '')),
  keys: fn(1, Infinity, (dicts) => dicts.flatMap((d) => (isDict(d) ? Object.keys(d) : [])).sort()),
  b64enc: fn(1, 1, ([a]) => Buffer.from(str(a), 'utf8').toString('base64')),
  b64dec: fn(1, 1, ([a]) => Buffer.from(str(a), 'base64').toString('utf8')),
  sha256sum: fn(1, 1, ([a]) => createHash('sha256').update(str(a), 'utf8').digest('hex')),
  include: fn(2, 2, ([name, data], ctx) => ctx.include(str(name), data)),
};

export function isBuiltinFunction(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name);
}

export function builtinFunction(name: string): TemplateFunction | undefined {
  return isBuiltinFunction(name) ? BUILTINS[name] : undefined;
}

export const BUILTIN_FUNCTION_NAMES: readonly string[] = Object.keys(BUILTINS).sort();
