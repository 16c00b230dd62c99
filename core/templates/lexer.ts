/**
 * The lexer of the Go text/template dialect: text, `{{ ... }}` actions with `{{-`/`-}}` trimming and
 * `{{/* comments *\/}}`, and the Tekton-style `$(params.x)` placeholder, which becomes the tokens of `{{ .params.x }}`.
 */
export type TokenKind =
  | 'text'
  | 'open'
  | 'close'
  | 'field'
  | 'dot'
  | 'variable'
  | 'identifier'
  | 'string'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Text for `text`; the decoded value for strings; the source spelling otherwise (`.name` for fields). */
  value: string;
  /** Offset in the source. */
  pos: number;
  /** Offset just past the token in the source. */
  end: number;
  /** Whether whitespace separates this token from the previous one (it decides `$x.a` versus `$x .a`). */
  spaceBefore: boolean;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

export interface LexOptions {
  /** Roots accepted in `$(root.path)`; other `$(...)` stay text, so a shell's `$(date)` survives. */
  dollarRoots?: readonly string[];
}

export const DEFAULT_DOLLAR_ROOTS: readonly string[] = ['params', 'planName', 'outputs'];

const DOLLAR_FORM = /\$\(([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\)/y;

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}
function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
}
function isLetter(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}_]/u.test(c);
}

export function lex(src: string, options: LexOptions = {}): Token[] {
  const roots = options.dollarRoots ?? DEFAULT_DOLLAR_ROOTS;
  const tokens: Token[] = [];
  let i = 0;
  let trimNextText = false;

  const pushText = (from: number, to: number): void => {
    let text = src.slice(from, to);
    let start = from;
    if (trimNextText) {
      const trimmed = text.replace(/^[ \t\r\n]+/, '');
      start += text.length - trimmed.length;
      text = trimmed;
      trimNextText = false;
    }
    if (text !== '') tokens.push({ kind: 'text', value: text, pos: start, end: to, spaceBefore: false });
  };
  const trimPreviousText = (): void => {
    const last = tokens[tokens.length - 1];
    if (last?.kind !== 'text') return;
    last.value = last.value.replace(/[ \t\r\n]+$/, '');
    if (last.value === '') tokens.pop();
  };

  while (i < src.length) {
    const next = nextDelimiter(src, i, roots);
    if (next === null) {
      pushText(i, src.length);
      break;
    }
    pushText(i, next.at);
    if (next.kind === 'dollar') {
      emitDollar(tokens, next.at, next.path);
      i = next.at + next.length;
      continue;
    }
    let p = next.at + 2;
    if (src[p] === '-' && isSpace(src[p + 1])) {
      trimPreviousText();
      p += 2;
    }
    if (src.startsWith('/*', p)) {
      const close = src.indexOf('*/', p + 2);
      if (close < 0) throw new LexError('unclosed comment', next.at);
      const after = close + 2;
      if (isSpace(src[after]) && src.startsWith('-}}', after + 1)) {
        trimNextText = true;
        i = after + 4;
      } else if (src.startsWith('}}', after)) {
        i = after + 2;
      } else {
        throw new LexError('comment ends before closing delimiter', close);
      }
      continue;
    }
    tokens.push({ kind: 'open', value: '{{', pos: next.at, end: p, spaceBefore: false });
    const result = lexAction(src, p, tokens);
    i = result.end;
    trimNextText = result.trim;
  }
  tokens.push({ kind: 'eof', value: '', pos: src.length, end: src.length, spaceBefore: false });
  return tokens;
}

type Delimiter = { kind: 'action'; at: number } | { kind: 'dollar'; at: number; length: number; path: string[] };

function nextDelimiter(src: string, from: number, roots: readonly string[]): Delimiter | null {
  let at = from;
  for (;;) {
    const brace = src.indexOf('{{', at);
    const dollar = src.indexOf('$(', at);
    if (dollar >= 0 && (brace < 0 || dollar < brace)) {
      DOLLAR_FORM.lastIndex = dollar;
      const m = DOLLAR_FORM.exec(src);
      const path = m?.[1]?.split('.');
      if (m && path && roots.includes(path[0] ?? '')) return { kind: 'dollar', at: dollar, length: m[0].length, path };
      at = dollar + 2;
      continue;
    }
    return brace < 0 ? null : { kind: 'action', at: brace };
  }
}

function emitDollar(tokens: Token[], at: number, path: string[]): void {
  tokens.push({ kind: 'open', value: '$(', pos: at, end: at + 2, spaceBefore: false });
  let p = at + 2;
  for (const part of path) {
    tokens.push({ kind: 'field', value: `.${part}`, pos: p, end: p + part.length, spaceBefore: p === at + 2 });
    p += part.length + 1;
  }
  tokens.push({ kind: 'close', value: ')', pos: p - 1, end: p, spaceBefore: false });
}

/** Lexes the inside of one action starting at `start`; returns the offset after `}}` and whether it trims. */
function lexAction(src: string, start: number, tokens: Token[]): { end: number; trim: boolean } {
  let p = start;
  let space = true;
  const push = (kind: TokenKind, value: string, from: number, to: number): void => {
    tokens.push({ kind, value, pos: from, end: to, spaceBefore: space });
    space = false;
  };
  for (;;) {
    const c = src[p];
    if (c === undefined) throw new LexError('unclosed action', start - 2);
    if (isSpace(c) && src.startsWith('-}}', p + 1)) {
      push('close', '}}', p, p + 4);
      return { end: p + 4, trim: true };
    }
    if (src.startsWith('}}', p)) {
      push('close', '}}', p, p + 2);
      return { end: p + 2, trim: false };
    }
    if (isSpace(c)) {
      space = true;
      p++;
      continue;
    }
    const from = p;
    if (c === ':' && src[p + 1] === '=') {
      push('declare', ':=', from, (p += 2));
    } else if (c === '=') {
      push('assign', '=', from, ++p);
    } else if (c === '|') {
      push('pipe', '|', from, ++p);
    } else if (c === '(') {
      push('lparen', '(', from, ++p);
    } else if (c === ')') {
      push('rparen', ')', from, ++p);
    } else if (c === ',') {
      push('comma', ',', from, ++p);
    } else if (c === '"') {
      p = scanQuoted(src, p, '"');
      push('string', decodeGoString(src.slice(from + 1, p - 1), from), from, p);
    } else if (c === '`') {
      const close = src.indexOf('`', p + 1);
      if (close < 0) throw new LexError('unterminated raw quoted string', from);
      p = close + 1;
      push('string', src.slice(from + 1, close), from, p);
    } else if (c === "'") {
      p = scanQuoted(src, p, "'");
      push('char', decodeGoString(src.slice(from + 1, p - 1), from), from, p);
    } else if (c === '$') {
      p++;
      while (isAlnum(src[p])) p++;
      push('variable', src.slice(from, p), from, p);
    } else if (c === '.' && !/[0-9]/.test(src[p + 1] ?? '')) {
      p++;
      if (!isAlnum(src[p])) {
        push('dot', '.', from, p);
        continue;
      }
      p = scanName(src, p);
      push('field', src.slice(from, p), from, p);
    } else if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9]+)?)/.exec(src.slice(p));
      const text = m?.[0] ?? '';
      if (text === '' || text === '+' || text === '-' || isAlnum(src[p + text.length])) {
        throw new LexError(`bad number syntax: "${src.slice(p, p + Math.max(text.length, 1) + 1)}"`, from);
      }
      p += text.length;
      push('number', text, from, p);
    } else if (isLetter(c)) {
      while (isAlnum(src[p])) p++;
      const word = src.slice(from, p);
      push(word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier', word, from, p);
    } else {
      throw new LexError(`unrecognized character in action: "${c}"`, from);
    }
  }
}

/** Field names: Go's identifiers, plus inner hyphens (`.outputs.create-localization`) since action names are DNS labels. */
function scanName(src: string, p: number): number {
  let q = p;
  for (;;) {
    while (isAlnum(src[q])) q++;
    if (src[q] === '-' && isLetter(src[q + 1])) {
      q++;
      continue;
    }
    return q;
  }
}

function scanQuoted(src: string, start: number, quote: string): number {
  let p = start + 1;
  for (;;) {
    const c = src[p];
    if (c === undefined || c === '\n') throw new LexError(quote === '"' ? 'unterminated quoted string' : 'unterminated character constant', start);
    if (c === '\\') {
      p += 2;
      continue;
    }
    p++;
    if (c === quote) return p;
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };

function decodeGoString(body: string, pos: number): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_all, esc: string) => {
    const head = esc[0] ?? '';
    if (head === 'x' || head === 'u' || head === 'U') return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/[0-7]/.test(head)) return String.fromCodePoint(parseInt(esc, 8));
    const simple = ESCAPES[esc];
    if (simple === undefined) throw new LexError(`unknown escape sequence: \\${esc}`, pos);
    return simple;
  });
}
