/**
 * `when` → Argo's `when` (govaluate over substituted text): `{{ .outputs.a.phase == 'Succeeded' }}` becomes
 * `'{{tasks.a.status}}' == 'Succeeded'`, `mode == "install" || mode == "upgrade"` becomes
 * `'{{workflow.parameters.mode}}' == 'install' || …`. Template conditions translate when they are a single
 * `eq`/`ne` of two values; anything else is refused with ArgoExportError.
 */
import type { Operand as TemplateOperand } from '../../templates/ast.js';
import { parseWhen, type WhenExpr, type WhenOperand } from '../dag/when.js';
import { ArgoExportError, translateString, type TranslateScope } from './translate.js';

function quoteArgo(text: string): string {
  return `'${text.replace(/'/g, "\\'")}'`;
}

function operand(o: WhenOperand, scope: TranslateScope, path: string): string {
  if (o.kind === 'literal') return typeof o.value === 'string' ? quoteArgo(o.value) : String(o.value);
  if (!o.path.startsWith('.')) throw new ArgoExportError(path, `"${o.path}" (a template variable) has no Argo equivalent`);
  return quoteArgo(translateString(`{{ ${o.path} }}`, scope, path));
}

function expression(e: WhenExpr, scope: TranslateScope, path: string): string {
  switch (e.kind) {
    case 'or':
      return `(${expression(e.left, scope, path)} || ${expression(e.right, scope, path)})`;
    case 'and':
      return `(${expression(e.left, scope, path)} && ${expression(e.right, scope, path)})`;
    case 'not':
      return `!(${expression(e.inner, scope, path)})`;
    case 'compare':
      return `${operand(e.left, scope, path)} ${e.op} ${operand(e.right, scope, path)}`;
    case 'value':
      return `${operand(e.operand, scope, path)} == 'true'`;
  }
}

function templateOperand(arg: TemplateOperand, scope: TranslateScope, path: string): string {
  if (arg.type === 'literal') return typeof arg.value === 'string' ? quoteArgo(arg.value) : String(arg.value);
  if (arg.type === 'field') return quoteArgo(translateString(`{{ ${arg.text} }}`, scope, path));
  throw new ArgoExportError(path, `"${arg.text}" has no Argo equivalent`);
}

export function translateWhen(source: string, scope: TranslateScope, path: string): string {
  const tree = parseWhen(source, path).tree;
  if (!tree) return '';
  if (tree.kind === 'expression') {
    const text = expression(tree.expr, scope, path);
    return text.startsWith('(') && text.endsWith(')') && tree.expr.kind !== 'compare' ? text.slice(1, -1) : text;
  }
  const actions = tree.template.root.filter((n) => n.type !== 'text' || n.text.trim() !== '');
  const only = actions[0];
  if (actions.length === 1 && only?.type === 'action' && only.pipe.commands.length === 1) {
    const [fn, left, right, ...more] = only.pipe.commands[0]!.args;
    if (fn?.type === 'function' && (fn.name === 'eq' || fn.name === 'ne') && left && right && more.length === 0) {
      return `${templateOperand(left, scope, path)} ${fn.name === 'eq' ? '==' : '!='} ${templateOperand(right, scope, path)}`;
    }
  }
  throw new ArgoExportError(path, `the condition "${source}" has no Argo equivalent`, 'Write it as a comparison, e.g. when: mode == "install", or {{ eq .params.mode "install" }}.');
}
