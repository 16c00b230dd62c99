import { watchDrift } from '../../core/drift/drift-watcher.js';
import type { Engine } from '../../core/engine.js';
import { engineSource } from './engine-source.js';
import { renderSnapshot } from './snapshot.js';
import { loadTerminalUi } from './load-terminal-ui.js';

type InteractiveModule = typeof import('./interactive.js');
let interactive: Promise<InteractiveModule> | null = null;

/** Loading Ink takes a while; start it early (e.g. while the engine opens) and share the promise. */
export function preloadCockpit(): Promise<InteractiveModule> {
  // Interactivity is decided from isTTY; Ink must not decide it again from CI (see load-terminal-ui.ts).
  interactive ??= loadTerminalUi(() => import('./interactive.js'));
  return interactive;
}

// The CLI imports this module only for the cockpit, before it opens the engine: overlap the two.
if (process.stdout.isTTY && process.stdin.isTTY) void preloadCockpit().catch(() => undefined);

export interface CockpitOptions {
  engine: Engine;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/**
 * `fleetdeck` with no command. In a terminal: the full-screen cockpit until the user quits. Otherwise
 * (piped, redirected, cron): a plain snapshot of the inventory. Returns the process exit code.
 */
export async function runCockpit(options: CockpitOptions): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const source = engineSource(options.engine);
  if (!stdout.isTTY || !stdin.isTTY) {
    stdout.write(await renderSnapshot(source));
    return 0;
  }
  const { runInteractive } = await preloadCockpit();
  // Drift stays current while the cockpit is open: a scan now, after inventory/operation events, and every 60 s.
  const watcher = watchDrift({ events: options.engine.events, drift: options.engine.drift });
  try {
    return await runInteractive({ source, stdin, stdout, stderr, env: process.env });
  } finally {
    watcher.stop();
  }
}
