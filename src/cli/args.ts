import { ValidationError } from '../../core/errors.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
  /** Repeatable flags such as --param k=v, in order. */
  repeated: Map<string, string[]>;
}

/** Flags that never take a value. Every other flag takes one (`--x v` or `--x=v`). */
const BOOLEAN_FLAGS = new Set([
  'json', 'readonly', 'sandbox', 'yes', 'help', 'version', 'detach', 'plan', 'force', 'dry-run', 'delete', 'adopt', 'all', 'watch',
]);
const REPEATABLE_FLAGS = new Set(['param']);
const SHORT_FLAGS: Record<string, string> = { h: 'help', y: 'yes', f: 'file' };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: new Map(), repeated: new Map() };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      const short = SHORT_FLAGS[arg.slice(1)];
      if (!short) throw new ValidationError(`unknown flag ${arg}`, 'Run `fleetdeck --help` for the flags.');
      name = short;
    } else {
      parsed.positionals.push(arg);
      continue;
    }
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined) throw new ValidationError(`--${name} takes no value`, `Write --${name} alone.`);
      parsed.flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (inline === undefined) i += 1;
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new ValidationError(`--${name} needs a value`, `Write --${name} VALUE.`);
    }
    if (REPEATABLE_FLAGS.has(name)) parsed.repeated.set(name, [...(parsed.repeated.get(name) ?? []), value]);
    parsed.flags.set(name, value);
  }
  return parsed;
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}

export function flagInt(args: ParsedArgs, name: string): number | undefined {
  const value = flagString(args, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ValidationError(`--${name} "${value}" is not a number`, `Give --${name} a whole number.`, name);
  return Number(value);
}

/** Refuses flags a command does not know, so a typo never silently does something else. */
export function allowOnly(args: ParsedArgs, allowed: readonly string[], usage: string): void {
  for (const name of args.flags.keys()) {
    if (!allowed.includes(name)) throw new ValidationError(`unknown flag --${name}`, `Usage: ${usage}`);
  }
}
