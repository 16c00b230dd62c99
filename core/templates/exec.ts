/** Renders a parsed template against data with Go text/template semantics (missingkey=error by default). */
import type { Command, DefinedTemplate, Node, Operand, Pipeline, Template } from './ast.js';
import { TemplateError, positionAt, type TemplateErrorReason } from './errors.js';
import { builtinFunction, type CallContext } from './functions.js';
import { formatV, goTypeName, isDict, isTrue, printValue } from './values.js';

export type MissingKey = 'error' | 'zero';

export interface RenderOptions {
  /** `error` (default, the seed's rule): a missing map key stops the render. `zero`: it reads as nil, like Helm without --strict. */
  missingKey?: MissingKey;
  /** Templates whose `define`s are callable with include/template (a chart's `_helpers.tpl`). The template's own win. */
  partials?: readonly Template[];
  /** How deep include/template may nest before the render is refused (a guard against recursion). Default 100. */
  maxDepth?: number;
}

const NONE: unique symbol = Symbol('no piped value');
type Piped = unknown | typeof NONE;

class BreakSignal {}
class ContinueSignal {}

interface Frame {
  name: string;
  source: string;
}

export function render(template: Template, data: unknown, options: RenderOptions = {}): string {
  const exec = new Executor(template, options);
  return exec.run(template.root, data);
}

/** The value (not the text) of a template that is a single action, e.g. `{{ .outputs.a.phase }}`. */
export function evaluate(template: Template, data: unknown, options: RenderOptions = {}): unknown {
  const actions = template.root.filter((n) => n.type !== 'text' || n.text.trim() !== '');
  const only = actions[0];
  if (actions.length !== 1 || only?.type !== 'action') {
    throw new TemplateError('syntax', template.name, { line: 1, column: 1 }, 'an expression must be exactly one {{ ... }} action', 'Write the condition as a single action, e.g. {{ eq .params.mode "install" }}.');
  }
  const exec = new Executor(template, options);
  return exec.evalRoot(only.pipe, data);
}

class Executor {
  private vars: { name: string; value: unknown }[] = [];
  private out: string[] = [];
  private frame: Frame;
  private depth = 0;
  private readonly defines = new Map<string, DefinedTemplate>();
  private readonly missingKey: MissingKey;
  private readonly maxDepth: number;

  constructor(template: Template, options: RenderOptions) {
    this.frame = { name: template.name, source: template.source };
    for (const partial of options.partials ?? []) for (const [k, v] of partial.defines) this.defines.set(k, v);
    for (const [k, v] of template.defines) this.defines.set(k, v);
    this.missingKey = options.missingKey ?? 'error';
    this.maxDepth = options.maxDepth ?? 100;
  }

  run(root: Node[], data: unknown): string {
    this.vars = [{ name: '$', value: data }];
    this.walk(root, data);
    return this.out.join('');
  }

  evalRoot(pipe: Pipeline, data: unknown): unknown {
    this.vars = [{ name: '$', value: data }];
    return this.evalPipeline(data, pipe);
  }

  private fail(reason: TemplateErrorReason, detail: string, at: { pos: number; text: string } | null, key?: string): never {
    const position = positionAt(this.frame.source, at?.pos ?? 0);
    const where = at && reason !== 'required' ? ` at <${at.text}>` : '';
    throw new TemplateError(reason, this.frame.name, position, detail + where, hintFor(reason, key), key);
  }

  private walk(nodes: Node[], dot: unknown): void {
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          this.out.push(node.text);
          break;
        case 'action': {
          const value = this.evalPipeline(dot, node.pipe);
          if (node.pipe.vars.length === 0) this.out.push(printValue(value));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const value = this.evalPipeline(dot, node.pipe);
          if (isTrue(value)) this.walk(node.list, node.type === 'with' ? value : dot);
          else if (node.elseList) this.walk(node.elseList, dot);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.walkRange(node, dot);
          break;
        case 'template':
          this.callTemplate(node.name, node.pipe ? this.evalPipeline(dot, node.pipe) : null, node, false);
          break;
        case 'break':
          throw new BreakSignal();
        case 'continue':
          throw new ContinueSignal();
      }
    }
  }

  private walkRange(node: Extract<Node, { type: 'range' }>, dot: unknown): void {
    const mark = this.vars.length;
    const value = this.evalPipeline(dot, { ...node.pipe, vars: [] });
    const items = this.rangeItems(value, node);
    if (items.length === 0) {
      if (node.elseList) this.walk(node.elseList, dot);
      return;
    }
    const [first, second] = node.pipe.vars;
    for (const [key, elem] of items) {
      if (first !== undefined && second === undefined) this.bind(first, elem, node.pipe.assign);
      if (first !== undefined && second !== undefined) {
        this.bind(first, key, node.pipe.assign);
        this.bind(second, elem, node.pipe.assign);
      }
      try {
        this.walk(node.list, elem);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      } finally {
        this.vars.length = mark;
      }
    }
    this.vars.length = mark;
  }

  private rangeItems(value: unknown, node: { pos: number; text: string }): [unknown, unknown][] {
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.map((v, i) => [i, v]);
    if (isDict(value)) return Object.keys(value).sort().map((k) => [k, value[k]]);
    if (typeof value === 'number' && Number.isInteger(value)) return Array.from({ length: Math.max(0, value) }, (_v, i) => [i, i]);
    return this.fail('execution', `range can't iterate over ${formatV(value)}`, node);
  }

  private bind(name: string, value: unknown, assign: boolean): void {
    if (assign) this.setVar(name, value);
    else this.vars.push({ name, value });
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        return;
      }
    }
  }

  private lookupVar(op: { name: string; pos: number; text: string }): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]?.name === op.name) return this.vars[i]?.value;
    return this.fail('execution', `undefined variable: ${op.name}`, op);
  }

  private callTemplate(name: string, data: unknown, at: { pos: number; text: string }, capture: boolean): string {
    const def = this.defines.get(name);
    if (!def) return this.fail('execution', `no such template "${name}"`, at, name);
    if (this.depth >= this.maxDepth) return this.fail('execution', `template "${name}" nested too deeply (${this.maxDepth} levels)`, at);
    const saved = { vars: this.vars, frame: this.frame, out: this.out };
    this.vars = [{ name: '$', value: data }];
    this.frame = { name: def.sourceName, source: def.source };
    if (capture) this.out = [];
    this.depth++;
    try {
      this.walk(def.root, data);
      return capture ? this.out.join('') : '';
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.frame = saved.frame;
      this.out = saved.out;
    }
  }

  private evalPipeline(dot: unknown, pipe: Pipeline): unknown {
    let value: Piped = NONE;
    for (const cmd of pipe.commands) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.vars) this.bind(name, value, pipe.assign);
    return value;
  }

  private evalCommand(dot: unknown, cmd: Command, piped: Piped): unknown {
    const [first, ...rest] = cmd.args;
    if (!first) return this.fail('execution', 'empty command', cmd);
    if (first.type === 'function') return this.callFunction(dot, first, rest, piped);
    if (rest.length > 0 || piped !== NONE) return this.fail('execution', `can't give argument to non-function ${first.text}`, first);
    return this.evalArg(dot, first);
  }

  private evalArg(dot: unknown, op: Operand): unknown {
    switch (op.type) {
      case 'dot':
        return dot;
      case 'literal':
        return op.value;
      case 'field':
        return this.resolvePath(dot, op.path, op, '');
      case 'variable':
        return this.resolvePath(this.lookupVar(op), op.path, op, op.name);
      case 'chain':
        return this.resolvePath(this.evalArg(dot, op.inner), op.path, op, op.inner.text);
      case 'pipeline':
        return this.evalPipeline(dot, op.pipe);
      case 'function':
        return this.callFunction(dot, op, [], NONE);
    }
  }

  private resolvePath(receiver: unknown, path: string[], op: Operand, base: string): unknown {
    let cur = receiver;
    for (let i = 0; i < path.length; i++) {
      const name = path[i] as string;
      const key = `${base}.${path.slice(0, i + 1).join('.')}`.replace(/^\./, '');
      if (cur === null || cur === undefined) return this.fail('execution', `nil pointer evaluating interface {}.${name}`, op, key);
      if (!isDict(cur)) return this.fail('execution', `can't evaluate field ${name} in type ${goTypeName(cur)}`, op, key);
      if (Object.prototype.hasOwnProperty.call(cur, name)) cur = cur[name];
      else if (this.missingKey === 'error') return this.fail('missingKey', `map has no entry for key "${name}"`, op, key);
      else cur = undefined;
    }
    return cur;
  }

  private callFunction(dot: unknown, ident: Extract<Operand, { type: 'function' }>, argOps: Operand[], piped: Piped): unknown {
    const f = builtinFunction(ident.name);
    if (!f) return this.fail('execution', `function "${ident.name}" not defined`, ident);
    const count = argOps.length + (piped === NONE ? 0 : 1);
    if (count < f.min || count > f.max) {
      const want = f.min === f.max ? `${f.min}` : count < f.min ? `at least ${f.min}` : `at most ${f.max}`;
      return this.fail('execution', `wrong number of args for ${ident.name}: want ${want} got ${count}`, ident);
    }
    if (ident.name === 'and' || ident.name === 'or') {
      // Go evaluates and/or lazily: the first deciding argument ends the call.
      const wantTrue = ident.name === 'or';
      let last: unknown = undefined;
      for (const op of argOps) {
        last = this.evalArg(dot, op);
        if (isTrue(last) === wantTrue) return last;
      }
      return piped === NONE ? last : piped;
    }
    const args = argOps.map((op) => this.evalArg(dot, op));
    if (piped !== NONE) args.push(piped);
    const ctx: CallContext = {
      include: (name, data) => this.callTemplate(name, data, ident, true),
      fail: (reason, message) => this.fail(reason, message, ident),
    };
    return f.call(args, ctx);
  }
}

function hintFor(reason: TemplateErrorReason, key: string | undefined): string {
  if (reason === 'missingKey' && key?.startsWith('params.')) {
    const name = key.split('.')[1] ?? key;
    return `Declare the parameter "${name}" (in the workflow's parameters or the plan's globalParams) or pass it with --param ${name}=VALUE.`;
  }
  if (reason === 'missingKey') return `The template reads .${key ?? ''}, which the data does not have: check the spelling, or guard it with {{ if hasKey ... }}.`;
  if (reason === 'required') return 'Provide the value the template requires, then run again.';
  return 'Fix the template or the data it reads at that position.';
}
