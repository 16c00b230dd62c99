import { auditCommand } from './commands/audit.js';
import { clusterCommands } from './commands/clusters.js';
import { dataplaneCommands } from './commands/dataplane.js';
import { driftCommands } from './commands/drift.js';
import { envCommands } from './commands/env.js';
import { migrateCommand } from './commands/migrate.js';
import { opsCommands } from './commands/ops.js';
import { sandboxCommands } from './commands/sandbox.js';
import type { Command } from './context.js';

/** Every headless command. Subsystems add theirs here. */
export const COMMANDS: readonly Command[] = [...clusterCommands, ...envCommands, ...opsCommands, ...driftCommands, ...dataplaneCommands, ...sandboxCommands, migrateCommand, auditCommand];

/** The command whose path is the longest prefix of the positionals. */
export function findCommand(positionals: readonly string[]): { command: Command; operands: string[] } | null {
  let best: Command | null = null;
  for (const command of COMMANDS) {
    const matches = command.path.every((word, i) => positionals[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, operands: positionals.slice(best.path.length) } : null;
}

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'fleetdeck: a terminal operations cockpit for fleets of Kubernetes clusters',
    '',
    'Usage: fleetdeck [global flags]            open the cockpit',
    '       fleetdeck [global flags] COMMAND    run headless',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(Math.min(width, 60))}  ${c.summary}`),
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
