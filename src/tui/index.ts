import type { Engine } from '../../core/engine.js';
import { MANAGEMENT_CLUSTER } from '../../core/fleet.js';
import type { CockpitSource, CockpitStatus } from '../../views/source.js';
import { loadTerminalUi } from './load-terminal-ui.js';
import { openingSource } from './opening-source.js';
import { splashFrame } from './splash.js';
import { enterFullscreen } from './terminal.js';

type InteractiveModule = typeof import('./interactive.js');
let interactive: Promise<InteractiveModule> | null = null;

/** Loading Ink takes a while; start it as early as possible and share the promise. */
export function preloadCockpit(): Promise<InteractiveModule> {
  // Interactivity is decided from isTTY; Ink must not decide it again from CI (see load-terminal-ui.ts).
  interactive ??= loadTerminalUi(() => import('./interactive.js'));
  return interactive;
}

// The CLI imports this module only for the cockpit: start loading Ink at once.
if (process.stdout.isTTY && process.stdin.isTTY) void preloadCockpit().catch(() => undefined);

export interface CockpitOptions {
  /** Opens the engine; in a terminal it is called once the first frame is drawn, and runs while Ink loads. */
  openEngine: () => Promise<Engine>;
  /** What the first frame's status line shows while the database opens. */
  status: CockpitStatus;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/**
 * `fleetdeck` with no command. In a terminal: the full-screen cockpit until the user quits; its first
 * frame (panel bar, status line "opening database…") is drawn before the database is opened, then the
 * data fills in. Otherwise (piped, redirected, cron): a plain snapshot of the inventory. Returns the exit code.
 */
export async function runCockpit(options: CockpitOptions): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (!stdout.isTTY || !stdin.isTTY) {
    const [{ engineSource }, { renderSnapshot }] = await Promise.all([import('./engine-source.js'), import('./snapshot.js')]);
    const source = engineSource(await options.openEngine());
    const stopNotices = source.notices?.((text) => stderr.write(`${text}\n`));
    stdout.write(await renderSnapshot(source));
    stopNotices?.();
    return 0;
  }
  const opening = openingSource({ managementCluster: MANAGEMENT_CLUSTER, ...options.status });
  // The first frame goes up at once, before Ink loads; Ink's own first frame then replaces it.
  const terminal = enterFullscreen(stdout, stdin);
  const color = process.env.NO_COLOR === undefined || process.env.NO_COLOR === '';
  stdout.write(splashFrame(opening.status, { rows: stdout.rows || 24, columns: stdout.columns || 80 }, color));
  // The database opens while Ink loads: each takes about half a second or more here, and the inventory then
  // appears after the slower of the two instead of after both. A failure surfaces through whenDrawn.
  const engine = options.openEngine();
  engine.catch(() => undefined);
  let ui: InteractiveModule;
  try {
    ui = await preloadCockpit();
  } catch (error) {
    terminal.restore();
    throw error;
  }
  let stopWatcher: () => void = () => undefined;
  let installs: Promise<{ stop(): Promise<void> } | null> = Promise.resolve(null);
  const whenDrawn = async (): Promise<CockpitSource> => {
    const opened = await engine;
    const [{ engineSource }, { watchDrift }] = await Promise.all([import('./engine-source.js'), import('../../core/drift/drift-watcher.js')]);
    // Drift stays current while the cockpit is open: a scan now, after inventory/operation events, and every 60 s.
    const watcher = watchDrift({ events: opened.events, drift: opened.drift });
    stopWatcher = () => watcher.stop();
    // `d` installs without a daemon: the install scheduler runs here too (not when read-only); quitting hands its tasks back.
    installs = import('../daemon/dataplane-options.js').then((m) => m.startInstallWorker(opened)).catch(() => null);
    return engineSource(opened);
  };
  try {
    return await ui.runInteractive({ source: opening, whenDrawn, terminal, stdin, stdout, stderr, env: process.env });
  } finally {
    stopWatcher();
    await (await installs)?.stop().catch(() => undefined);
  }
}
