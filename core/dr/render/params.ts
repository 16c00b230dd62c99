/**
 * Resolving an execution's parameters. Priority, lowest first (as BCS's BuildParamsMap): the workflow's defaults,
 * the plan's globalParams, the stage's params for that workflow, the execution's params, then `--param k=v`.
 * Values are strings in the YAML; a workflow parameter declared number or boolean is converted for the templates.
 */
import { ValidationError } from '../../errors.js';
import type { Parameter, ParameterType } from '../schema/types.js';

export type ParamValue = string | number | boolean;

export interface ParamLayers {
  workflow?: readonly Parameter[];
  global?: readonly Parameter[];
  stage?: readonly Parameter[];
  execution?: readonly Parameter[];
  /** From `--param k=v`. */
  overrides?: Readonly<Record<string, string>>;
  /** Refuse overrides no layer declares (default true); a plan checks against all its workflows itself. */
  strictOverrides?: boolean;
  /** Values of `valueFrom.manifestRef` parameters, resolved from the cluster by the caller (this module does no I/O). */
  resolvedValueFrom?: Readonly<Record<string, string>>;
}

/** Parses `--param k=v` arguments; the value may contain `=`. */
export function parseParamOverrides(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? '' : arg.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new ValidationError(`--param "${arg}" is not NAME=VALUE`, 'Pass parameters as --param name=value, e.g. --param targetCluster=dr-01.', 'param');
    }
    out[key] = arg.slice(eq + 1);
  }
  return out;
}

function explicitValue(p: Parameter, resolved: Readonly<Record<string, string>>): string | undefined {
  if (p.value !== undefined) return String(p.value);
  if (p.valueFrom?.manifestRef) return resolved[p.name];
  return undefined;
}

/** Every parameter name the layers declare. */
export function declaredParamNames(layers: ParamLayers): Set<string> {
  return new Set([...(layers.workflow ?? []), ...(layers.global ?? []), ...(layers.stage ?? []), ...(layers.execution ?? [])].map((p) => p.name));
}

export function resolveParams(layers: ParamLayers): Record<string, ParamValue> {
  const resolved = layers.resolvedValueFrom ?? {};
  const raw = new Map<string, string>();
  const pendingValueFrom = new Map<string, Parameter>();
  const apply = (params: readonly Parameter[] | undefined, useDefault: boolean): void => {
    for (const p of params ?? []) {
      const value = explicitValue(p, resolved) ?? (useDefault && p.default !== undefined ? String(p.default) : undefined);
      if (value !== undefined) {
        raw.set(p.name, value);
        pendingValueFrom.delete(p.name);
      } else if (p.valueFrom?.manifestRef) {
        pendingValueFrom.set(p.name, p);
      }
    }
  };
  apply(layers.workflow, true);
  apply(layers.global, true);
  apply(layers.stage, true);
  apply(layers.execution, false);
  const declared = declaredParamNames(layers);
  for (const [key, value] of Object.entries(layers.overrides ?? {})) {
    if (layers.strictOverrides !== false && !declared.has(key)) {
      throw new ValidationError(`unknown parameter "${key}"`, `The plan declares: ${[...declared].sort().join(', ') || 'no parameters'}. Check the spelling of --param ${key}.`, 'param');
    }
    raw.set(key, value);
    pendingValueFrom.delete(key);
  }
  for (const [name, p] of pendingValueFrom) {
    const ref = p.valueFrom?.manifestRef;
    throw new ValidationError(
      `parameter "${name}" takes its value from ${ref?.kind ?? '?'} ${ref?.name ?? ref?.labelSelector ?? ''} (${ref?.jsonPath ?? ''}), which was not resolved`,
      `Resolve it from the cluster first, or pass --param ${name}=VALUE.`,
      'param',
    );
  }
  const types = new Map<string, ParameterType>();
  for (const p of layers.workflow ?? []) if (p.type) types.set(p.name, p.type);
  const out: Record<string, ParamValue> = {};
  for (const [name, value] of raw) out[name] = convert(name, value, types.get(name) ?? 'string');
  for (const p of layers.workflow ?? []) {
    if (p.required && (out[p.name] === undefined || out[p.name] === '')) {
      throw new ValidationError(`parameter "${p.name}" is required and has no value`, `Give it a value in the plan's globalParams or pass --param ${p.name}=VALUE.`, 'param');
    }
  }
  return out;
}

function convert(name: string, value: string, type: ParameterType): ParamValue {
  if (type === 'number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new ValidationError(`parameter "${name}" must be a number, got "${value}"`, `Pass a number, e.g. --param ${name}=3.`, 'param');
    return n;
  }
  if (type === 'boolean') {
    if (value !== 'true' && value !== 'false') throw new ValidationError(`parameter "${name}" must be true or false, got "${value}"`, `Pass --param ${name}=true or --param ${name}=false.`, 'param');
    return value === 'true';
  }
  return value;
}
