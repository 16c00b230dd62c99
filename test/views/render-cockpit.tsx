import { render } from 'ink-testing-library';
import { Cockpit } from '../../views/cockpit.js';
import { createCockpitStore } from '../../views/store/cockpit-store.js';
import type { CockpitStore } from '../../views/store/cockpit-store.js';
import type { MemorySource } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

export interface RenderedCockpit {
  store: CockpitStore;
  source: MemorySource;
  /** The last frame without ANSI styling. */
  screen(): string;
  lines(): string[];
  press(...keys: string[]): Promise<void>;
  waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  quitCodes: number[];
  unmount(): void;
}

export const KEY = { down: '\x1b[B', up: '\x1b[A', enter: '\r', escape: '\x1b', tab: '\t', pageDown: '\x1b[6~',
  pageUp: '\x1b[5~', backspace: '\x7f', right: '\x1b[C', ctrlC: '\x03' } as const;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

export interface RenderedCockpitWithStdout extends RenderedCockpit {
  stdout: NodeJS.EventEmitter;
}

/** rows = null follows the (fake) terminal's size and its resize events instead of a fixed size. */
export async function renderCockpit(source: MemorySource, rows: number | null = 30, columns = 120): Promise<RenderedCockpitWithStdout> {
  const store = createCockpitStore(source.status);
  const quitCodes: number[] = [];
  const app = render(
    <Cockpit store={store} source={source} size={rows === null ? undefined : { rows, columns }} theme={{ color: false }}
      liveSync={{ debounceMs: 20, fallbackMs: 60_000 }} onQuit={(code) => quitCodes.push(code)} />,
  );
  const screen = () => (app.lastFrame() ?? '').replace(ANSI, '');
  const waitFor = async (predicate: (s: string) => boolean, what: string, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(screen())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
      await tick();
    }
    return screen();
  };
  await waitFor(() => store.getState().loaded, 'the first read');
  await tick();
  return {
    store, source, screen, waitFor, quitCodes, stdout: app.stdout,
    lines: () => screen().split('\n'),
    async press(...keys) {
      for (const key of keys) {
        app.stdin.write(key);
        await tick();
      }
    },
    unmount: () => app.unmount(),
  };
}
