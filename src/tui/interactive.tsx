import { render } from 'ink';
import { Cockpit, frameLayout } from '../../views/cockpit.js';
import type { CockpitSource } from '../../views/source.js';
import { createCockpitStore } from '../../views/store/cockpit-store.js';
import { themeFromEnv } from '../../views/theme.js';
import { CleanupRegistry, armHardExit } from './cleanup.js';
import { enterFullscreen } from './terminal.js';

export interface InteractiveOptions {
  /** What the first frame shows; replaced by `ready`'s source once that resolves. */
  source: CockpitSource;
  /**
   * Called once the first frame is on screen; resolves with the real source (the database is open).
   * If it rejects, the cockpit closes, restores the terminal and `runInteractive` rejects with that error.
   */
  whenDrawn?: () => Promise<CockpitSource>;
  /** The full screen already entered (with a first frame drawn before Ink loaded); else entered here. */
  terminal?: { restore(): void };
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

const CLEAR_SCREEN = '\x1b[H\x1b[2J';
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Runs the cockpit full screen until the user quits, a signal arrives or something crashes; returns the exit code. */
export function runInteractive({ source, whenDrawn, terminal: entered, stdin, stdout, stderr, env }: InteractiveOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
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
    /** The cockpit could not start (e.g. the database did not open): the caller reports it like any command error. */
    const abandon = (error: unknown) => {
      if (finished) return;
      finished = true;
      cleanup.run();
      reject(error instanceof Error ? error : new Error(String(error)));
    };

    const terminal = entered ?? enterFullscreen(stdout, stdin);
    cleanup.add(() => terminal.restore());
    // Ink draws from the top of a clear screen, over the first frame drawn before it loaded.
    if (entered) stdout.write(CLEAR_SCREEN);

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
    const theme = themeFromEnv(env);
    try {
      const instance = render(<Cockpit store={store} source={source} theme={theme} />, {
        stdout, stdin, stderr,
        exitOnCtrlC: false, // ctrl-c is a key in views/keys.ts, so quitting always goes through cleanup.
        patchConsole: true,
        maxFps: 60,
        // incrementalRendering stays off: in a 30-line tmux pane it left stale lines behind (Ink 6.8).
      });
      cleanup.add(() => instance.unmount());
      instance.waitUntilExit().then(() => finish(0), (error: unknown) => finish(1, error));
      if (whenDrawn) {
        // The first frame is written; opening the database (seconds of synchronous WASM work) may start now.
        setImmediate(() => {
          if (finished) return;
          whenDrawn().then((ready) => {
            if (finished) return;
            store.getState().setStatus(ready.status);
            const stopNotices = ready.notices?.((text) => store.getState().setNotice(text));
            if (stopNotices) cleanup.add(stopNotices);
            instance.rerender(<Cockpit store={store} source={ready} theme={theme} />);
          }, abandon);
        });
      }
    } catch (error) {
      finish(1, error);
    }
  });
}
