/** Go's fmt.Sprintf for the verbs templates use: %v %s %d %q %t %f %e %g %x %X %o %b %c %%, with flags, width, precision. */
import { formatNumber, formatV, goQuote, goTypeName } from './values.js';

const VERB = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;

export function sprintf(format: string, args: readonly unknown[]): string {
  let next = 0;
  let out = format.replace(VERB, (whole, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
    if (verb === '%' && whole === '%%') return '%';
    const takeStar = (spec: string | undefined): number | undefined => {
      if (spec !== '*') return spec === undefined ? undefined : Number(spec);
      const v = args[next++];
      return typeof v === 'number' ? v : undefined;
    };
    const w = takeStar(width);
    const hasPrecision = whole.includes('.');
    const p = hasPrecision ? (takeStar(precision) ?? 0) : undefined;
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    return pad(formatOne(verb, arg, flags, p), w, flags);
  });
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((a) => `${goTypeName(a)}=${formatV(a)}`)
      .join(', ')})`;
  }
  return out;
}

function pad(text: string, width: number | undefined, flags: string): string {
  if (width === undefined || text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (flags.includes('0') && /^[+-]?\d/.test(text)) {
    const sign = /^[+-]/.test(text) ? text.slice(0, 1) : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}

function formatOne(verb: string, arg: unknown, flags: string, precision: number | undefined): string {
  const bad = (): string => `%!${verb}(${goTypeName(arg)}=${formatV(arg)})`;
  const signed = (s: string, n: number): string => (flags.includes('+') && n >= 0 ? `+${s}` : s);
  switch (verb) {
    case 'v':
      return typeof arg === 'number' ? signed(formatNumber(arg), arg) : formatV(arg);
    case 's': {
      if (typeof arg !== 'string' && typeof arg !== 'number' && typeof arg !== 'boolean' && !Array.isArray(arg) && typeof arg !== 'object') return bad();
      const s = formatV(arg);
      return precision === undefined ? s : [...s].slice(0, precision).join('');
    }
    case 'q':
      if (typeof arg === 'string') return goQuote(arg);
      if (typeof arg === 'number' && Number.isInteger(arg)) return `'${String.fromCodePoint(arg)}'`;
      return bad();
    case 't':
      return typeof arg === 'boolean' ? String(arg) : bad();
    case 'd':
      return typeof arg === 'number' && Number.isInteger(arg) ? signed(String(arg), arg) : bad();
    case 'c':
      return typeof arg === 'number' && Number.isInteger(arg) ? String.fromCodePoint(arg) : bad();
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      const radix = verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
      let s: string;
      if (typeof arg === 'number' && Number.isInteger(arg)) s = arg.toString(radix);
      else if (typeof arg === 'string' && radix === 16) s = Buffer.from(arg, 'utf8').toString('hex');
      else return bad();
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 'f':
    case 'F':
      return typeof arg === 'number' ? signed(arg.toFixed(precision ?? 6), arg) : bad();
    case 'e':
      return typeof arg === 'number' ? signed(arg.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'), arg) : bad();
    case 'g':
      return typeof arg === 'number' ? signed(precision === undefined ? formatNumber(arg) : String(Number(arg.toPrecision(precision || 1))), arg) : bad();
    default:
      return `%!${verb}(${goTypeName(arg)}=${formatV(arg)})`;
  }
}
