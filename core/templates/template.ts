/** Parsing entry points: parse once into an AST, render many times. */
import type { Template } from './ast.js';
import { evaluate, render, type RenderOptions } from './exec.js';
import { isBuiltinFunction } from './functions.js';
import { DEFAULT_DOLLAR_ROOTS, type LexOptions } from './lexer.js';
import { parse } from './parser.js';

export type ParseTemplateOptions = LexOptions;

export function parseTemplate(source: string, name = 'template', options: ParseTemplateOptions = {}): Template {
  return parse(source, name, { ...options, isFunction: isBuiltinFunction });
}

/** Whether a string holds anything to render (`{{` or an accepted `$(root...)`); plain strings skip the parser. */
export function hasTemplateSyntax(source: string, options: ParseTemplateOptions = {}): boolean {
  if (source.includes('{{')) return true;
  if (!source.includes('$(')) return false;
  const roots = options.dollarRoots ?? DEFAULT_DOLLAR_ROOTS;
  return roots.some((root) => source.includes(`$(${root}`));
}

const CACHE_LIMIT = 500;
const cache = new Map<string, Template>();

function cached(source: string, name: string): Template {
  const key = `${name}\u0000${source}`;
  let template = cache.get(key);
  if (!template) {
    template = parseTemplate(source, name);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, template);
  }
  return template;
}

/** Parses (cached) and renders a string in one call. */
export function renderString(source: string, data: unknown, options: RenderOptions & { name?: string } = {}): string {
  if (!hasTemplateSyntax(source)) return source;
  return render(cached(source, options.name ?? 'template'), data, options);
}

/** The value of a one-action expression such as `.outputs.check.phase` or `eq .params.mode "install"`, not its text. */
export function evaluateExpression(expression: string, data: unknown, options: RenderOptions & { name?: string } = {}): unknown {
  const source = expression.trim().startsWith('{{') ? expression : `{{ ${expression} }}`;
  return evaluate(cached(source, options.name ?? 'expression'), data, options);
}
