/**
 * Template text in DR actions → Argo's own template syntax, so an exported Workflow stays parameterised:
 * `{{ .params.x }}` and `$(params.x)` become `{{workflow.parameters.x}}`, `.planName` the plan's name,
 * `.outputs.A.phase` `{{tasks.A.status}}` and `.outputs.A.httpResponse.body` `{{tasks.A.outputs.result}}`.
 * A `quote` (or `toJson`) after a parameter keeps its quotes. A text that reads no parameter or output is rendered
 * as it is. Anything else (conditionals, other functions over parameters, other outputs) has no Argo spelling:
 * ArgoExportError names the field and what to simplify.
 */
import { ValidationError } from '../../errors.js';
import type { Node, Operand } from '../../templates/ast.js';
import { render } from '../../templates/exec.js';
import { hasTemplateSyntax, parseTemplate } from '../../templates/template.js';
import { joinPath } from '../../templates/tree.js';

export class ArgoExportError extends ValidationError {
  constructor(path: string, reason: string, hint = 'Simplify the template to {{ .params.NAME }}, or export with --param values and no template there.') {
    super(`export-argo: ${path}: ${reason}`, hint, path);
    this.name = 'ArgoExportError';
  }
}

export interface TranslateScope {
  planName: string;
  /** The Argo workflow parameter holding a DR parameter for this workflow run. */
  parameter(name: string): string;
  /** The Argo task of an action of this workflow run, or undefined when it is not one. */
  task(action: string): string | undefined;
}

const DYNAMIC = /\.params\b|\.outputs\b|\$\(params|\$\(outputs|\$[A-Za-z_]/;

function operandRef(arg: Operand, scope: TranslateScope, path: string): string {
  if (arg.type === 'literal') return String(arg.value);
  if (arg.type !== 'field') throw new ArgoExportError(path, `"${arg.text}" cannot be expressed in an Argo Workflow`);
  const [root, a, b, c] = arg.path;
  if (root === 'planName' && arg.path.length === 1) return scope.planName;
  if (root === 'params' && a !== undefined && arg.path.length === 2) return `{{workflow.parameters.${scope.parameter(a)}}}`;
  if (root === 'outputs' && a !== undefined) {
    const task = scope.task(a);
    if (!task) throw new ArgoExportError(path, `reads the outputs of "${a}", which is not an action of this workflow`);
    if (b === 'phase' && arg.path.length === 3) return `{{tasks.${task}.status}}`;
    if (b === 'httpResponse' && c === 'body' && arg.path.length === 4) return `{{tasks.${task}.outputs.result}}`;
    throw new ArgoExportError(path, `reads .${arg.path.join('.')}, which Argo does not record (only .phase and .httpResponse.body have Argo equivalents)`);
  }
  throw new ArgoExportError(path, `reads .${arg.path.join('.')}, which has no Argo equivalent`);
}

function translateNode(node: Node, scope: TranslateScope, path: string): string {
  if (node.type === 'text') return node.text;
  if (node.type !== 'action') throw new ArgoExportError(path, `a "${node.type}" block over parameters or outputs has no Argo equivalent`);
  const { pipe } = node;
  if (pipe.vars.length > 0) throw new ArgoExportError(path, `"${node.text}" declares variables, which Argo templates cannot`);
  const [first, ...rest] = pipe.commands;
  if (!first || first.args.length !== 1) throw new ArgoExportError(path, `"${node.text}" calls a function over parameters or outputs, which Argo templates cannot`);
  let value = operandRef(first.args[0]!, scope, path);
  for (const command of rest) {
    const fn = command.args[0];
    if (command.args.length === 1 && fn?.type === 'function' && (fn.name === 'quote' || fn.name === 'toJson')) value = `"${value}"`;
    else throw new ArgoExportError(path, `"${node.text}" pipes into "${command.text}", which Argo templates cannot`);
  }
  return value;
}

/** One string of an action, translated. */
export function translateString(source: string, scope: TranslateScope, path: string): string {
  if (!hasTemplateSyntax(source)) return source;
  const template = parseTemplate(source, path);
  if (!DYNAMIC.test(source)) return render(template, { planName: scope.planName, params: {}, outputs: {} });
  return template.root.map((node) => translateNode(node, scope, path)).join('');
}

/** Every string in a tree (not keys), translated. */
export function translateTree<T>(value: T, scope: TranslateScope, path = ''): T {
  if (typeof value === 'string') return translateString(value, scope, path) as T;
  if (Array.isArray(value)) return value.map((v: unknown, i) => translateTree(v, scope, joinPath(path, i))) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translateTree(v, scope, joinPath(path, k))])) as T;
  }
  return value;
}
