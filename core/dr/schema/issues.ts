/** Collecting validation problems with their field paths, and the error that reports them all at once. */
import { ValidationError } from '../../errors.js';
import { joinPath } from '../../templates/tree.js';

export interface ValidationIssue {
  /** Field path such as `spec.actions[2].http.url`. */
  path: string;
  message: string;
}

/** A DR resource that failed validation: the message lists every problem, `issues` holds them with their paths. */
export class DRValidationError extends ValidationError {
  readonly issues: readonly ValidationIssue[];
  readonly resource: string;

  constructor(resource: string, issues: readonly ValidationIssue[]) {
    const first = issues[0];
    const all = issues.length > 1
      ? ` (${issues.length} problems): ${issues.map(formatIssue).join('; ')}`
      : `: ${first ? formatIssue(first) : 'unknown problem'}`;
    super(
      `${resource} is invalid${all}`,
      'Fix the listed fields and run `fleetdeck dr validate FILE` again; nothing was stored or run.',
      first?.path,
    );
    this.name = 'DRValidationError';
    this.resource = resource;
    this.issues = issues;
    Object.assign(this.details, { resource, issues });
  }
}

/** A file whose resources are invalid in several places: one DRValidationError per invalid resource, in file order. */
export class DRFileValidationError extends ValidationError {
  constructor(readonly source: string, readonly errors: readonly DRValidationError[]) {
    super(
      `${source} has ${errors.length} invalid resources: ${errors.map((e) => e.message).join(' | ')}`,
      'Fix the listed fields and run `fleetdeck dr validate FILE` again; nothing was stored or run.',
      errors[0]?.field,
    );
    this.name = 'DRFileValidationError';
    Object.assign(this.details, { resources: errors.map((e) => ({ resource: e.resource, issues: e.issues })) });
  }
}

export function formatIssue(issue: ValidationIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shape checks over untyped input (parsed YAML) that record an issue instead of throwing. */
export class Issues {
  readonly list: ValidationIssue[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  get ok(): boolean {
    return this.list.length === 0;
  }

  /** Fields the schema does not have (a misspelling, or a field of another type) are problems, named with a suggestion. */
  allowOnly(value: Obj, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const near = closest(key, allowed);
      this.add(joinPath(path, key), `unknown field${near ? ` (did you mean "${near}"?)` : ''}; allowed: ${allowed.join(', ')}`);
    }
  }

  /** An object-valued field: absent gives undefined (or an issue when required). */
  object(parent: Obj, key: string, path: string, required = false): Obj | undefined {
    const value = parent[key];
    const at = joinPath(path, key);
    if (value === undefined || value === null) {
      if (required) this.add(at, 'required');
      return undefined;
    }
    if (!isObj(value)) {
      this.add(at, `must be an object, not ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  array(parent: Obj, key: string, path: string, opts: { required?: boolean; minItems?: number } = {}): unknown[] | undefined {
    const value = parent[key];
    const at = joinPath(path, key);
    if (value === undefined || value === null) {
      if (opts.required) this.add(at, 'required');
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.add(at, `must be a list, not ${describe(value)}`);
      return undefined;
    }
    if (opts.minItems !== undefined && value.length < opts.minItems) this.add(at, `must have at least ${opts.minItems} item${opts.minItems === 1 ? '' : 's'}`);
    return value;
  }

  string(parent: Obj, key: string, path: string, opts: { required?: boolean; oneOf?: readonly string[]; pattern?: RegExp; patternHint?: string } = {}): string | undefined {
    const value = parent[key];
    const at = joinPath(path, key);
    if (value === undefined || value === null || value === '') {
      if (opts.required) this.add(at, 'required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(at, `must be a string, not ${describe(value)}`);
      return undefined;
    }
    if (opts.oneOf && !opts.oneOf.includes(value)) {
      this.add(at, `unsupported value "${value}": must be one of ${opts.oneOf.join(', ')}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.add(at, `invalid value "${value}"${opts.patternHint ? `: ${opts.patternHint}` : ''}`);
      return undefined;
    }
    return value;
  }

  boolean(parent: Obj, key: string, path: string): boolean | undefined {
    const value = parent[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.add(joinPath(path, key), `must be true or false, not ${describe(value)}`);
    return typeof value === 'boolean' ? value : undefined;
  }

  integer(parent: Obj, key: string, path: string, opts: { min?: number; max?: number } = {}): number | undefined {
    const value = parent[key];
    const at = joinPath(path, key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.add(at, `must be an integer, not ${describe(value)}`);
      return undefined;
    }
    if ((opts.min !== undefined && value < opts.min) || (opts.max !== undefined && value > opts.max)) {
      this.add(at, `must be between ${opts.min ?? '-∞'} and ${opts.max ?? '∞'}, not ${value}`);
      return undefined;
    }
    return value;
  }

  stringList(parent: Obj, key: string, path: string): string[] | undefined {
    const list = this.array(parent, key, path);
    if (!list) return undefined;
    const out: string[] = [];
    list.forEach((item, i) => {
      if (typeof item === 'string' && item !== '') out.push(item);
      else this.add(joinPath(joinPath(path, key), i), `must be a non-empty string, not ${describe(item)}`);
    });
    return out;
  }
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** The allowed name closest to a misspelt one (edit distance ≤ 2, or the same name in another case). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : distance(word.toLowerCase(), c.toLowerCase());
    if (d <= 2 && (!best || d < best.distance)) best = { name: c, distance: d };
  }
  return best?.name;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
