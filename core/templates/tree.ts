/**
 * Rendering every string inside a JSON/YAML object tree (an action's spec, a manifest): each string is parsed once
 * when the tree is compiled, named by its field path so errors say where (`http.url:1:9: ...`).
 */
import type { Template } from './ast.js';
import { render, type RenderOptions } from './exec.js';
import { parseTemplate, hasTemplateSyntax, type ParseTemplateOptions } from './template.js';

type Compiled =
  | { kind: 'literal'; value: unknown }
  | { kind: 'template'; template: Template }
  | { kind: 'list'; items: Compiled[] }
  | { kind: 'map'; entries: [string, Compiled][] };

export interface CompiledTree {
  render(data: unknown, options?: RenderOptions): unknown;
}

/** Joins a field path the way validation messages print it: `spec.actions[2].http.url`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

export function compileTree(value: unknown, basePath = '', options: ParseTemplateOptions = {}): CompiledTree {
  const compiled = compile(value, basePath, options);
  return { render: (data, renderOptions) => renderCompiled(compiled, data, renderOptions) };
}

/** Renders every string in `value` (not keys), returning a new tree; non-strings are kept as they are. */
export function renderTree<T>(value: T, data: unknown, options: RenderOptions & ParseTemplateOptions & { basePath?: string } = {}): T {
  return compileTree(value, options.basePath ?? '', options).render(data, options) as T;
}

function compile(value: unknown, path: string, options: ParseTemplateOptions): Compiled {
  if (typeof value === 'string') {
    return hasTemplateSyntax(value, options) ? { kind: 'template', template: parseTemplate(value, path || 'template', options) } : { kind: 'literal', value };
  }
  if (Array.isArray(value)) return { kind: 'list', items: value.map((v, i) => compile(v, joinPath(path, i), options)) };
  if (typeof value === 'object' && value !== null) {
    return { kind: 'map', entries: Object.entries(value).map(([k, v]) => [k, compile(v, joinPath(path, k), options)]) };
  }
  return { kind: 'literal', value };
}

function renderCompiled(c: Compiled, data: unknown, options: RenderOptions | undefined): unknown {
  switch (c.kind) {
    case 'literal':
      return c.value;
    case 'template':
      return render(c.template, data, options);
    case 'list':
      return c.items.map((item) => renderCompiled(item, data, options));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of c.entries) out[k] = renderCompiled(v, data, options);
      return out;
    }
  }
}
