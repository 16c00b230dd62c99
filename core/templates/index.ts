/**
 * A Go text/template compatible engine (the subset Helm and BCS users write), shared by DR plans and app plugins.
 * Glossary: a *template* is parsed source; *data* is the JSON-like value it reads (`.params`, `.planName`, `.Values`);
 * a *partial* is a parsed template whose `define`s other templates `include`.
 */
export type { Template, DefinedTemplate, Node } from './ast.js';
export { TemplateError, positionAt, type TemplatePosition, type TemplateErrorReason } from './errors.js';
export { render, evaluate, type RenderOptions, type MissingKey } from './exec.js';
export { parseTemplate, renderString, evaluateExpression, hasTemplateSyntax, type ParseTemplateOptions } from './template.js';
export { compileTree, renderTree, joinPath, type CompiledTree } from './tree.js';
export { BUILTIN_FUNCTION_NAMES } from './functions.js';
export { isTrue, printValue } from './values.js';
export { toJson, toYaml } from './encode.js';
