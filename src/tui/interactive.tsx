import { render } from 'ink';
import { Cockpit, frameLayout } from '../../views/cockpit.js';
import type { CockpitSource } from '../../views/source.js';
import { createCockpitStore } from '../../views/store/cockpit-store.js';
import { themeFromEnv } from '../../views/theme.js';
import { CleanupRegistry, armHardExit } from './cleanup.js';
import { enterFullscreen } from './terminal.js';

export interface InteractiveOptions {
  source: CockpitSource;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Runs the cockpit full screen until the user quits, a signal arrives or something crashes; returns the exit code. */
export function runInteractive({ source, stdin, stdout, stderr, env }: InteractiveOptions): Promise<number> {
  return new Promise<number>((resolve) => {
    const cleanup = new CleanupRegistry();
    let finished = false;
    const finish = (code: number, error?: unknown) => {
      if (finished) return;
      finished = true;
      cleanup.run();
      if (error !== undefined) {
        const { message, hint } = error as { message?: unknown; hint?: unknown };
        stderr.write(`error: the cockpit stopped: ${typeof message === 'string' ? message : String(error)}\n`);
        if (typeof hint === 'string') stderr.write(`hint: ${hint}\n`);
      }
      armHardExit(code);
      resolve(code);
    };

    const terminal = enterFullscreen(stdout, stdin);
    cleanup.add(() => terminal.restore());

    for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
      const handler = () => finish(code);
      process.on(signal, handler);
      // Removed on the next turn: Ink's signal-exit re-raises the signal (killing the process before the
      // engine closes) if it finds itself the only listener while this very signal is being delivered.
      cleanup.add(() => setImmediate(() => process.off(signal, handler)));
    }
    const onCrash = (error: unknown) => finish(1, error);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    cleanup.add(() => {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    });

    const size = { rows: stdout.rows || 24, columns: stdout.columns || 80 };
    const store = createCockpitStore(source.status, frameLayout(size).tableRows);
    try {
      const instance = render(<Cockpit store={store} source={source} theme={themeFromEnv(env)} />, {
        stdout, stdin, stderr,
        exitOnCtrlC: false, // ctrl-c is a key in views/keys.ts, so quitting always goes through cleanup.
        patchConsole: true,
        maxFps: 60,
        // incrementalRendering stays off: in a 30-line tmux pane it left stale lines behind (Ink 6.8).
      });
      cleanup.add(() => instance.unmount());
      instance.waitUntilExit().then(() => finish(0), (error: unknown) => finish(1, error));
    } catch (error) {
      finish(1, error);
    }
  });
}
