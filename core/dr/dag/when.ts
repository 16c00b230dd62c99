/**
 * `when` conditions. Three spellings are accepted, all over the same data (`.params`, `.outputs`, `.planName`):
 *  - a Go template, true by Go's truthiness of its value: `{{ eq .params.mode "install" }}`;
 *  - seed 004's comparison inside braces: `{{ .outputs.create-localization.phase == 'Succeeded' }}`;
 *  - BCS's bare expression: `mode == "install" || mode == "upgrade"` (a bare name reads `.params.NAME`).
 * Comparisons are ==, !=, <, <=, >, >=, joined by &&, || and !, with parentheses.
 * As in BCS, a condition on `mode` (or `operation`) is true when the execution has no mode at all.
 */
import type { Template } from '../../templates/ast.js';
import { TemplateError, positionAt } from '../../templates/errors.js';
import { evaluate, render } from '../../templates/exec.js';
import { parseTemplate } from '../../templates/template.js';
import { isTrue, printValue } from '../../templates/values.js';

export interface WhenCondition {
  source: string;
  /** True when the action should run. Throws TemplateError when the data lacks a key the condition reads. */
  evaluate(data: WhenData): boolean;
  /** The parsed condition, for translating it (export-argo): a comparison expression or a template. */
  tree?: WhenTree;
}

export type WhenTree = { kind: 'expression'; expr: WhenExpr } | { kind: 'template'; template: Template };
export type WhenExpr = Expr;
export type WhenOperand = Operand;

export interface WhenData {
  params: Record<string, unknown>;
  outputs: Record<string, unknown>;
  planName?: string;
  [key: string]: unknown;
}

type Expr =
  | { kind: 'or' | 'and'; left: Expr; right: Expr }
  | { kind: 'not'; inner: Expr }
  | { kind: 'compare'; op: string; left: Operand; right: Operand }
  | { kind: 'value'; operand: Operand };

type Operand = { kind: 'literal'; value: unknown } | { kind: 'ref'; template: Template; modeRef: boolean; path: string };

const ALWAYS: WhenCondition = { source: '', evaluate: () => true };
const HINT = 'Write the condition as a template ({{ eq .params.mode "install" }}) or a comparison (mode == "install" || mode == "upgrade").';

export function parseWhen(source: string, name = 'when'): WhenCondition {
  const text = source.trim();
  if (text === '') return ALWAYS;
  const braced = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}$/.exec(text);
  const inner = braced?.[1];
  if (inner !== undefined && !inner.includes('{{') && hasOperator(inner)) return compileExpression(inner, source, name, source.indexOf(inner));
  if (text.includes('{{')) {
    const template = parseTemplate(source, name);
    return { source, evaluate: (data) => truthOfTemplate(template, data), tree: { kind: 'template', template } };
  }
  return compileExpression(text, source, name, source.indexOf(text));
}

function truthOfTemplate(template: Template, data: WhenData): boolean {
  const actions = template.root.filter((n) => n.type !== 'text' || n.text.trim() !== '');
  if (actions.length === 1 && actions[0]?.type === 'action') return isTrue(evaluate(template, data));
  const out = render(template, data).trim();
  return out !== '' && out !== 'false' && out !== '0' && out !== '<no value>';
}

function hasOperator(text: string): boolean {
  return /==|!=|&&|\|\||<=|>=|\s<\s|\s>\s/.test(text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'));
}

type Tok = { kind: 'op' | 'lparen' | 'rparen' | 'string' | 'word'; value: string; pos: number };

function tokenize(text: string, fail: (msg: string, pos: number) => never): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      toks.push({ kind: 'op', value: two, pos: i });
      i += 2;
    } else if (c === '<' || c === '>' || c === '!') {
      toks.push({ kind: 'op', value: c, pos: i++ });
    } else if (c === '(' || c === ')') {
      toks.push({ kind: c === '(' ? 'lparen' : 'rparen', value: c, pos: i++ });
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) fail('unterminated quoted string', i);
      toks.push({ kind: 'string', value, pos: i });
      i = j + 1;
    } else if (text.startsWith('$(', i)) {
      const close = text.indexOf(')', i);
      if (close < 0) fail('unclosed $( placeholder', i);
      toks.push({ kind: 'word', value: `.${text.slice(i + 2, close)}`, pos: i });
      i = close + 1;
    } else {
      const m = /^[^\s()=!<>&|'"]+/.exec(text.slice(i));
      if (!m) fail(`unexpected "${c}"`, i);
      toks.push({ kind: 'word', value: m[0], pos: i });
      i += m[0].length;
    }
  }
  return toks;
}

function compileExpression(text: string, source: string, name: string, offset: number): WhenCondition {
  const fail = (msg: string, pos: number): never => {
    throw new TemplateError('syntax', name, positionAt(source, offset + pos), msg, HINT);
  };
  const toks = tokenize(text, fail);
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const operand = (): Operand => {
    const t = toks[i++];
    if (!t) return fail('missing value at the end of the condition', text.length);
    if (t.kind === 'string') return { kind: 'literal', value: t.value };
    if (t.kind !== 'word') return fail(`unexpected "${t.value}"`, t.pos);
    const w = t.value;
    if (w === 'true' || w === 'false') return { kind: 'literal', value: w === 'true' };
    if (w === 'nil' || w === 'null') return { kind: 'literal', value: null };
    if (/^[+-]?\d+(\.\d+)?$/.test(w)) return { kind: 'literal', value: Number(w) };
    const path = w.startsWith('.') || w.startsWith('$') ? w : /^[A-Za-z_][\w-]*$/.test(w) ? `.params.${w}` : fail(`unexpected "${w}"`, t.pos);
    try {
      return { kind: 'ref', template: parseTemplate(`{{ ${path} }}`, name), modeRef: path === '.params.mode' || path === '.params.operation', path };
    } catch {
      return fail(`cannot read "${w}"`, t.pos);
    }
  };
  const primary = (): Expr => {
    const t = peek();
    if (t?.kind === 'lparen') {
      i++;
      const e = or();
      if (peek()?.kind !== 'rparen') fail('missing ")"', t.pos);
      i++;
      return e;
    }
    const left = operand();
    const op = peek();
    if (op?.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(op.value)) {
      i++;
      return { kind: 'compare', op: op.value, left, right: operand() };
    }
    return { kind: 'value', operand: left };
  };
  const unary = (): Expr => {
    if (peek()?.kind === 'op' && peek()?.value === '!') {
      i++;
      return { kind: 'not', inner: unary() };
    }
    return primary();
  };
  const chain = (kind: 'and' | 'or', symbol: string, next: () => Expr) => (): Expr => {
    let left = next();
    while (peek()?.kind === 'op' && peek()?.value === symbol) {
      i++;
      left = { kind, left, right: next() };
    }
    return left;
  };
  const and = chain('and', '&&', unary);
  const or = chain('or', '||', and);
  const expr = or();
  const rest = peek();
  if (rest) fail(`unexpected "${rest.value}"`, rest.pos);
  const readsMode = usesMode(expr);
  return {
    source,
    evaluate: (data) => {
      if (readsMode && noMode(data)) return true;
      return isTrue(evalExpr(expr, withModeFallback(data)));
    },
    tree: { kind: 'expression', expr },
  };
}

function usesMode(e: Expr): boolean {
  switch (e.kind) {
    case 'or':
    case 'and':
      return usesMode(e.left) || usesMode(e.right);
    case 'not':
      return usesMode(e.inner);
    case 'compare':
      return isModeRef(e.left) || isModeRef(e.right);
    case 'value':
      return isModeRef(e.operand);
  }
}
function isModeRef(o: Operand): boolean {
  return o.kind === 'ref' && o.modeRef;
}
function noMode(data: WhenData): boolean {
  const mode = data.params.mode ?? data.params.operation;
  return mode === undefined || mode === null || mode === '';
}
/** BCS reads `operation` as the older name of `mode`. */
function withModeFallback(data: WhenData): WhenData {
  const mode = data.params.mode ?? data.params.operation;
  return { ...data, params: { ...data.params, mode, operation: mode } };
}

function value(o: Operand, data: WhenData): unknown {
  if (o.kind === 'literal') return o.value;
  const v = evaluate(o.template, data);
  return o.modeRef && typeof v === 'string' ? v.toLowerCase() : v;
}

function evalExpr(e: Expr, data: WhenData): unknown {
  switch (e.kind) {
    case 'or':
      return isTrue(evalExpr(e.left, data)) || isTrue(evalExpr(e.right, data));
    case 'and':
      return isTrue(evalExpr(e.left, data)) && isTrue(evalExpr(e.right, data));
    case 'not':
      return !isTrue(evalExpr(e.inner, data));
    case 'value':
      return value(e.operand, data);
    case 'compare': {
      let a = value(e.left, data);
      let b = value(e.right, data);
      if (isModeRef(e.left) && typeof b === 'string') b = b.toLowerCase();
      if (isModeRef(e.right) && typeof a === 'string') a = a.toLowerCase();
      return compare(e.op, a, b);
    }
  }
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const numeric = typeof a === 'number' && typeof b === 'number';
  const x = numeric ? (a as number) : printValue(a);
  const y = numeric ? (b as number) : printValue(b);
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}
