/** Typed reads of untyped objects whose errors name the field (`spec.groups[1].instances`) and the object. */
import { ValidationError } from '../errors.js';
import type { IntOrPercent } from './model.js';

export type Plain = Record<string, unknown>;

export function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class FieldReader {
  constructor(
    /** Names the object in messages, e.g. `Group middleware/cache-redis`. */
    readonly subject: string,
  ) {}

  fail(path: string, problem: string, hint: string): never {
    throw new ValidationError(`${this.subject}: ${path} ${problem}`, hint, path);
  }

  object(value: unknown, path: string): Plain {
    if (!isPlain(value)) this.fail(path, 'must be an object', `Write ${path} as a mapping of keys to values.`);
    return value;
  }

  optionalObject(value: unknown, path: string): Plain | undefined {
    return value === undefined || value === null ? undefined : this.object(value, path);
  }

  string(value: unknown, path: string): string {
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, 'is required and must be a non-empty string', `Set ${path}.`);
    return value.trim();
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  name(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (text.length > 53 || !DNS_LABEL.test(text)) {
      this.fail(path, `"${text}" is not a valid name`, 'Use at most 53 lowercase letters, digits and "-", starting and ending with a letter or digit.');
    }
    return text;
  }

  int(value: unknown, path: string, min: number, fallback?: number): number {
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      this.fail(path, `must be a whole number of at least ${min}, got ${JSON.stringify(value ?? null)}`, `Set ${path} to a whole number ≥ ${min}.`);
    }
    return value;
  }

  intOrPercent(value: unknown, path: string, fallback: IntOrPercent): IntOrPercent {
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && /^\d{1,3}%$/.test(value) && Number(value.slice(0, -1)) <= 100) return value;
    return this.fail(path, `must be a count or a percentage such as "25%", got ${JSON.stringify(value)}`, `Set ${path} to e.g. 1 or "25%".`);
  }

  boolean(value: unknown, path: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false', `Set ${path} to true or false.`);
    return value;
  }

  list(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'must be a list', `Write ${path} as a YAML list.`);
    return value;
  }

  /** A map of config keys to scalar values, as strings. */
  stringMap(value: unknown, path: string): Record<string, string> {
    if (value === undefined || value === null) return {};
    const map = this.object(value, path);
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(map)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        this.fail(`${path}.${key}`, 'must be a string, number or boolean', 'Configuration values are scalars.');
      }
      out[key] = String(v);
    }
    return out;
  }
}

/** Resolves a count or percentage against a total: surge rounds up, unavailable rounds down, as Kubernetes does. */
export function resolveIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const fraction = (Number(value.slice(0, -1)) / 100) * total;
  return roundUp ? Math.ceil(fraction) : Math.floor(fraction);
}
