import type { FleetConfig } from '../../core/config.js';
import type { Engine } from '../../core/engine.js';
import type { ParsedArgs } from './args.js';

/** What every command gets: its arguments, the engine (opened on first use), and where to write. */
export interface CommandContext {
  args: ParsedArgs;
  /** Positionals after the command (and subcommand) words. */
  operands: string[];
  json: boolean;
  config: FleetConfig;
  engine(): Promise<Engine>;
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
}

export interface Command {
  /** The words that select it, e.g. ['clusters', 'ls']. */
  path: string[];
  usage: string;
  summary: string;
  flags: string[];
  /** Returns the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}
