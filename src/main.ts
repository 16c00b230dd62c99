import { embeddedDir, resolveConfig } from '../core/config.js';
import type { FleetConfig } from '../core/config.js';
import { redactDatabaseUrl } from '../core/db/database.js';
import type { Engine } from '../core/engine.js';
import { ValidationError, asFleetError, exitCodeFor } from '../core/errors.js';
import { allowOnly, flagBool, flagString, parseArgs } from './cli/args.js';
import type { ParsedArgs } from './cli/args.js';
import type { CommandContext } from './cli/context.js';
import { findCommand, helpText } from './cli/registry.js';

const GLOBAL_FLAGS = ['json', 'readonly', 'sandbox', 'data-dir', 'database-url', 'config', 'help'];

function configFrom(args: ParsedArgs): FleetConfig {
  // Every `sandbox …` command works on the sandbox world.
  const sandbox = flagBool(args, 'sandbox') || args.positionals[0] === 'sandbox';
  const dataDir = flagString(args, 'data-dir');
  const databaseUrl = flagString(args, 'database-url');
  const configFile = flagString(args, 'config');
  return resolveConfig({
    readonly: flagBool(args, 'readonly'),
    sandbox,
    ...(dataDir ? { dataDir } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(configFile ? { configFile } : {}),
  });
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
    });
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

interface CockpitModule {
  runCockpit(options: { openEngine: () => Promise<Engine>; status: { databaseTarget: string; sandbox: boolean; readonly: boolean } }): Promise<number>;
}

/** Where the data lives, as the status line shows it, known before the database is open. */
function databaseTarget(config: FleetConfig): string {
  return config.databaseUrl ? redactDatabaseUrl(config.databaseUrl) : `embedded ${embeddedDir(config)}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  let engine: Promise<Engine> | null = null;
  let json = argv.includes('--json');
  try {
    const args = parseArgs(argv);
    json = flagBool(args, 'json');
    if (flagBool(args, 'help') || args.positionals[0] === 'help') {
      process.stdout.write(`${await helpText()}\n`);
      return 0;
    }
    const config = configFrom(args);
    // The engine and its adapters (pg, PGlite) are imported only when a command needs them.
    // A command tells the sandbox world's notices on stderr (never in --json stdout); the cockpit shows them itself.
    const isCommand = args.positionals.length > 0;
    const openEngine = (): Promise<Engine> => {
      engine ??= config.sandbox
        ? import('./sandbox/open-sandbox.js').then(async ({ openSandboxEngine }) => {
          const { engine: opened, fleet } = await openSandboxEngine(config);
          if (isCommand) fleet.onNotice((line) => process.stderr.write(`${line}\n`));
          return opened;
        })
        : import('../core/engine.js').then(({ createEngine }) => createEngine(config));
      return engine;
    };
    if (args.positionals.length === 0) {
      allowOnly(args, GLOBAL_FLAGS, 'fleetdeck [--readonly] [--sandbox] [--data-dir DIR] [--database-url URL]');
      const cockpit = (await import(new URL('./tui/index.js', import.meta.url).href)) as CockpitModule;
      return await cockpit.runCockpit({
        openEngine, status: { databaseTarget: databaseTarget(config), sandbox: config.sandbox, readonly: config.readonly },
      });
    }
    const found = await findCommand(args.positionals);
    if (!found) {
      throw new ValidationError(`unknown command "${args.positionals.join(' ')}"`, 'Run `fleetdeck --help` for the commands.');
    }
    allowOnly(args, [...GLOBAL_FLAGS, ...found.command.flags], found.command.usage);
    const ctx: CommandContext = {
      args, operands: found.operands, json, config,
      engine: openEngine,
      out: (text) => process.stdout.write(`${text}\n`),
      err: (text) => process.stderr.write(`${text}\n`),
      readStdin,
    };
    return await found.command.run(ctx);
  } catch (error) {
    const fleetError = asFleetError(error);
    if (json) {
      process.stdout.write(`${JSON.stringify({ error: { code: fleetError.code, message: fleetError.message, hint: fleetError.hint } }, null, 2)}\n`);
    }
    process.stderr.write(`error: ${fleetError.message}\nhint: ${fleetError.hint}\n`);
    return exitCodeFor(fleetError);
  } finally {
    // Also when the cockpit quit while the engine was still opening: wait for it, then close it.
    const pending = engine as Promise<Engine> | null;
    if (pending) await pending.then((open) => open.close(), () => undefined).catch(() => undefined);
  }
}

// `fleetdeck clusters ls --json | head` closes the pipe early: that is the reader's choice, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
// A command is done when main returns; nothing left running may keep the process alive.
setTimeout(() => process.exit(exitCode), 2000).unref();
