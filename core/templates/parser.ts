/** Parses tokens into the AST of ast.ts, with Go's parse-time checks (undefined functions and variables). */
import type { Command, DefinedTemplate, Node, Operand, Pipeline, Template } from './ast.js';
import { TemplateError, positionAt } from './errors.js';
import { LexError, lex, type LexOptions, type Token } from './lexer.js';

export interface ParseOptions extends LexOptions {
  /** Names callable as functions; anything else is `function "x" not defined` at parse time. */
  isFunction: (name: string) => boolean;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

class ParseFailure extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

export function parse(source: string, name: string, options: ParseOptions): Template {
  try {
    const parser = new Parser(source, name, lex(source, options), options);
    const root = parser.parseTop();
    return { name, source, root, defines: parser.defines };
  } catch (error) {
    if (error instanceof ParseFailure || error instanceof LexError) {
      throw new TemplateError('syntax', name, positionAt(source, error.pos), error.message, 'Fix the template syntax at that position: every {{ needs a matching }}, and every if/range/with/define an {{ end }}.');
    }
    throw error;
  }
}

type ListEnd = { kind: 'end' | 'else' | 'eof'; pos: number };

class Parser {
  readonly defines = new Map<string, DefinedTemplate>();
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly src: string,
    private readonly name: string,
    private readonly tokens: Token[],
    private readonly options: ParseOptions,
  ) {}

  parseTop(): Node[] {
    const { nodes, end } = this.parseList(true);
    if (end.kind !== 'eof') this.fail(`unexpected {{${end.kind}}}`, end.pos);
    return nodes;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
  private lastEnd(): number {
    return this.tokens[this.i - 1]?.end ?? 0;
  }
  private fail(message: string, pos: number): never {
    throw new ParseFailure(message, pos);
  }
  private describe(t: Token): string {
    if (t.kind === 'close') return 'end of action';
    if (t.kind === 'eof') return 'EOF';
    return `"${this.src.slice(t.pos, t.end)}"`;
  }
  private expectClose(context: string): void {
    const t = this.peek();
    if (t.kind !== 'close') this.fail(`unexpected ${this.describe(t)} in ${context}`, t.pos);
    this.next();
  }

  private parseList(top = false): { nodes: Node[]; end: ListEnd } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return { nodes, end: { kind: 'eof', pos: t.pos } };
      if (t.kind === 'text') {
        nodes.push({ type: 'text', text: this.next().value });
        continue;
      }
      const open = this.next();
      const kw = this.peek();
      const word = kw.kind === 'identifier' && KEYWORDS.has(kw.value) ? kw.value : null;
      if (word === 'end' || word === 'else') {
        this.next();
        if (word === 'end') this.expectClose('end');
        return { nodes, end: { kind: word, pos: open.pos } };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        this.next();
        nodes.push(this.parseControl(word, open.pos));
      } else if (word === 'template') {
        this.next();
        nodes.push(this.parseTemplateCall(open.pos));
      } else if (word === 'define' || word === 'block') {
        if (!top) this.fail(`unexpected <${word}> in command: define templates at the top level`, kw.pos);
        this.next();
        const node = this.parseDefine(word, open.pos);
        if (node) nodes.push(node);
      } else if (word === 'break' || word === 'continue') {
        this.next();
        if (this.rangeDepth === 0) this.fail(`{{${word}}} outside {{range}}`, kw.pos);
        this.expectClose(word);
        nodes.push({ type: word, pos: open.pos, text: word });
      } else {
        const pipe = this.parsePipeline('command', true);
        this.expectClose('command');
        nodes.push({ type: 'action', pos: open.pos, text: this.src.slice(open.pos, this.lastEnd()), pipe });
      }
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range', pos: number): Node {
    const mark = this.vars.length;
    const pipe = this.parsePipeline(kind, true);
    this.expectClose(kind);
    if (kind === 'range') this.rangeDepth++;
    const { nodes: list, end } = this.parseList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | null = null;
    if (end.kind === 'eof') this.fail(`unexpected EOF: {{${kind}}} is missing its {{end}}`, pos);
    if (end.kind === 'else') {
      const chained = this.peek();
      if (kind !== 'range' && chained.kind === 'identifier' && chained.value === kind) {
        this.next();
        elseList = [this.parseControl(kind, end.pos)];
      } else {
        this.expectClose('else');
        const rest = this.parseList();
        if (rest.end.kind !== 'end') this.fail(rest.end.kind === 'else' ? 'expected {{end}}; found {{else}}' : `unexpected EOF: {{${kind}}} is missing its {{end}}`, rest.end.pos);
        elseList = rest.nodes;
      }
    }
    this.vars.length = mark;
    return { type: kind, pos, text: `{{${kind} ${pipe.text}}}`, pipe, list, elseList };
  }

  private templateName(context: string): string {
    const t = this.next();
    if (t.kind !== 'string') this.fail(`unexpected ${this.describe(t)} in ${context}: the name must be a quoted string`, t.pos);
    return t.value;
  }

  private parseTemplateCall(pos: number): Node {
    const name = this.templateName('template clause');
    const pipe = this.peek().kind === 'close' ? null : this.parsePipeline('template clause', false);
    this.expectClose('template clause');
    return { type: 'template', pos, text: this.src.slice(pos, this.lastEnd()), name, pipe };
  }

  private parseDefine(kind: 'define' | 'block', pos: number): Node | null {
    const name = this.templateName(`${kind} clause`);
    const pipe = kind === 'block' ? this.parsePipeline('block clause', false) : null;
    this.expectClose(`${kind} clause`);
    const outerVars = this.vars;
    this.vars = ['$'];
    const { nodes, end } = this.parseList();
    this.vars = outerVars;
    if (end.kind !== 'end') this.fail(`unexpected ${end.kind === 'eof' ? 'EOF' : '{{else}}'} in ${kind} "${name}"`, end.kind === 'eof' ? pos : end.pos);
    if (this.defines.has(name)) this.fail(`template: multiple definition of template "${name}"`, pos);
    this.defines.set(name, { name, root: nodes, source: this.src, sourceName: this.name });
    return kind === 'block' ? { type: 'template', pos, text: this.src.slice(pos, this.lastEnd()), name, pipe } : null;
  }

  /** A pipeline up to (not including) the closing `}}` or `)`. */
  private parsePipeline(context: string, allowDecl: boolean): Pipeline {
    const start = this.peek().pos;
    let vars: string[] = [];
    let assign = false;
    const t0 = this.peek();
    if (allowDecl && t0.kind === 'variable') {
      const t1 = this.peek(1);
      if (t1.kind === 'declare' || t1.kind === 'assign') {
        vars = [t0.value];
        assign = t1.kind === 'assign';
        this.i += 2;
      } else if (t1.kind === 'comma' && this.peek(2).kind === 'variable' && ['declare', 'assign'].includes(this.peek(3).kind)) {
        if (context !== 'range') this.fail(`too many declarations in ${context}`, t1.pos);
        vars = [t0.value, this.peek(2).value];
        assign = this.peek(3).kind === 'assign';
        this.i += 4;
      }
      if (assign) for (const v of vars) if (!this.vars.includes(v)) this.fail(`undefined variable "${v}"`, t0.pos);
    }
    const commands: Command[] = [];
    for (;;) {
      commands.push(this.parseCommand(context));
      if (this.peek().kind !== 'pipe') break;
      this.next();
    }
    if (!assign) this.vars.push(...vars);
    return { pos: start, text: this.src.slice(start, this.lastEnd()), vars, assign, commands };
  }

  private parseCommand(context: string): Command {
    const start = this.peek().pos;
    const args: Operand[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'close' || t.kind === 'pipe' || t.kind === 'rparen' || t.kind === 'eof') break;
      if (args.length > 0 && !t.spaceBefore && t.kind !== 'lparen') this.fail(`missing space before ${this.describe(t)}`, t.pos);
      args.push(this.parseOperand(context));
    }
    if (args.length === 0) this.fail(`missing value for ${context}`, this.peek().pos);
    return { pos: start, text: this.src.slice(start, this.lastEnd()), args };
  }

  private parseOperand(context: string): Operand {
    const term = this.parseTerm(context);
    const path: string[] = [];
    while (this.peek().kind === 'field' && !this.peek().spaceBefore) path.push(this.next().value.slice(1));
    if (path.length === 0) return term;
    const text = this.src.slice(term.pos, this.lastEnd());
    if (term.type === 'field' || term.type === 'variable') return { ...term, text, path: [...term.path, ...path] };
    if (term.type === 'dot') return { type: 'field', pos: term.pos, text, path };
    if (term.type === 'literal' || term.type === 'function') this.fail(`unexpected . after term "${term.text}"`, term.pos);
    return { type: 'chain', pos: term.pos, text, inner: term, path };
  }

  private parseTerm(context: string): Operand {
    const t = this.next();
    const at = { pos: t.pos, text: this.src.slice(t.pos, t.end) };
    switch (t.kind) {
      case 'identifier':
        if (KEYWORDS.has(t.value)) this.fail(`unexpected <${t.value}> in ${context}`, t.pos);
        if (!this.options.isFunction(t.value)) this.fail(`function "${t.value}" not defined`, t.pos);
        return { ...at, type: 'function', name: t.value };
      case 'dot':
        return { ...at, type: 'dot' };
      case 'field':
        return { ...at, type: 'field', path: [t.value.slice(1)] };
      case 'variable':
        if (!this.vars.includes(t.value)) this.fail(`undefined variable "${t.value}"`, t.pos);
        return { ...at, type: 'variable', name: t.value, path: [] };
      case 'nil':
        return { ...at, type: 'literal', value: null };
      case 'bool':
        return { ...at, type: 'literal', value: t.value === 'true' };
      case 'string':
        return { ...at, type: 'literal', value: t.value };
      case 'char': {
        const chars = [...t.value];
        if (chars.length !== 1) this.fail(`malformed character constant: ${at.text} (use "double quotes" for strings)`, t.pos);
        return { ...at, type: 'literal', value: t.value.codePointAt(0) ?? 0 };
      }
      case 'number':
        return { ...at, type: 'literal', value: parseNumber(t.value, () => this.fail(`bad number syntax: "${t.value}"`, t.pos)) };
      case 'lparen': {
        const pipe = this.parsePipeline('parenthesized pipeline', false);
        const close = this.next();
        if (close.kind !== 'rparen') this.fail(`unclosed left paren`, t.pos);
        return { pos: t.pos, text: this.src.slice(t.pos, close.end), type: 'pipeline', pipe };
      }
      default:
        return this.fail(`unexpected ${this.describe(t)} in ${context}`, t.pos);
    }
  }
}

function parseNumber(text: string, bad: () => never): number {
  const negative = text.startsWith('-');
  const body = text.replace(/^[+-]/, '').replace(/_/g, '');
  const value = Number(body);
  if (body === '' || Number.isNaN(value)) bad();
  return negative ? -value : value;
}
