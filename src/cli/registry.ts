import type { Command } from './context.js';

/**
 * Every headless command, grouped by the module that holds it. A command's module is imported only when that
 * command runs, so `fleetdeck clusters ls` never pays for loading the Kubernetes client or the cockpit.
 * Subsystems add their module here, under each first word their commands use.
 */
const MODULES: Record<string, () => Promise<Command[]>> = {
  clusters: async () => (await import('./commands/clusters.js')).clusterCommands,
  env: async () => (await import('./commands/env.js')).envCommands,
  ops: async () => (await import('./commands/ops.js')).opsCommands,
  drift: async () => (await import('./commands/drift.js')).driftCommands,
  dataplane: async () => (await import('./commands/dataplane.js')).dataplaneCommands,
  sandbox: async () => (await import('./commands/sandbox.js')).sandboxCommands,
  migrate: async () => [(await import('./commands/migrate.js')).migrateCommand],
  apps: async () => (await import('./commands/apps.js')).appsCommands,
  dr: async () => (await import('./commands/dr.js')).drCommands,
  audit: async () => [(await import('./commands/audit.js')).auditCommand],
};

/** First words that live in another word's module. */
const ALIASES: Record<string, string> = {
  repair: 'drift',
  deploy: 'dataplane', installs: 'dataplane', daemon: 'dataplane', serve: 'dataplane',
};

async function commandsFor(word: string): Promise<Command[]> {
  const load = MODULES[ALIASES[word] ?? word];
  return load ? load() : [];
}

export async function allCommands(): Promise<Command[]> {
  return (await Promise.all(Object.values(MODULES).map((load) => load()))).flat();
}

/** The command whose path is the longest prefix of the positionals. */
export async function findCommand(positionals: readonly string[]): Promise<{ command: Command; operands: string[] } | null> {
  let best: Command | null = null;
  for (const command of await commandsFor(positionals[0] ?? '')) {
    const matches = command.path.every((word, i) => positionals[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, operands: positionals.slice(best.path.length) } : null;
}

export async function helpText(): Promise<string> {
  const commands = await allCommands();
  const width = Math.max(...commands.map((c) => c.usage.length));
  return [
    'fleetdeck: a terminal operations cockpit for fleets of Kubernetes clusters',
    '',
    'Usage: fleetdeck [global flags]            open the cockpit',
    '       fleetdeck [global flags] COMMAND    run headless',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.usage.padEnd(Math.min(width, 60))}  ${c.summary}`),
    '',
    'Global flags:',
    '  --json                 JSON output for scripts',
    '  --readonly             refuse every mutating action',
    '  --sandbox              use the sandbox world instead of a real fleet',
    '  --data-dir DIR         where the embedded database lives (default $XDG_DATA_HOME/fleetdeck)',
    '  --database-url URL     use a PostgreSQL server (also FLEETDECK_DATABASE_URL)',
    '  --config FILE          configuration file (default ~/.config/fleetdeck/config.json)',
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage or validation error, 3 drift found (fleetdeck drift).',
  ].join('\n');
}
