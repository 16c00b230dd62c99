import { Box, useApp, useInput } from 'ink';
import { useEffect, useMemo } from 'react';
import { dispatchKey } from './actions/dispatch-key.js';
import { BottomLine } from './components/bottom-line.js';
import { PanelBar } from './components/panel-bar.js';
import { PanelBody } from './components/panel-body.js';
import { MessageLine, StatusLine } from './components/status-line.js';
import { CockpitContext, useCockpit } from './context.js';
import type { CockpitContextValue } from './context.js';
import type { CockpitSource } from './source.js';
import type { CockpitStore } from './store/cockpit-store.js';
import { startLiveSync } from './store/live-sync.js';
import type { LiveSyncOptions } from './store/live-sync.js';
import { startPanelSync } from './store/panel-sync.js';
import { ThemeContext } from './theme.js';
import type { Theme } from './theme.js';
import { useTerminalSize } from './use-terminal-size.js';
import type { TerminalSize } from './use-terminal-size.js';

/** Lines around the panel body: panel bar, bottom line (keys or prompt), status line, message line. */
const CHROME_LINES = 4;

export interface FrameLayout {
  frameHeight: number;
  bodyHeight: number;
  tableRows: number;
}

/** Ink 6 repaints the whole screen when a frame reaches the terminal's height, so stay one line short. */
export function frameLayout(size: TerminalSize): FrameLayout {
  const frameHeight = Math.max(CHROME_LINES + 2, size.rows - 1);
  const bodyHeight = frameHeight - CHROME_LINES;
  return { frameHeight, bodyHeight, tableRows: Math.max(1, bodyHeight - 1) };
}

export interface CockpitProps {
  store: CockpitStore;
  source: CockpitSource;
  /** Fixed size for tests; otherwise the terminal's, following resizes. */
  size?: TerminalSize;
  theme?: Theme;
  liveSync?: LiveSyncOptions;
  onQuit?: (exitCode: number) => void;
}

interface FrameProps {
  store: CockpitStore;
  size?: TerminalSize | undefined;
  onQuit?: ((exitCode: number) => void) | undefined;
}

function Frame({ store, size, onQuit }: FrameProps) {
  const terminal = useTerminalSize(size);
  const layout = frameLayout(terminal);
  useEffect(() => {
    store.getState().setViewport(layout.tableRows);
  }, [store, layout.tableRows]);
  const quitRequested = useCockpit((s) => s.quitRequested);
  const { exit } = useApp();
  useEffect(() => {
    if (!quitRequested) return;
    onQuit?.(0);
    exit();
  }, [quitRequested, onQuit, exit]);
  return (
    <Box flexDirection="column" height={layout.frameHeight} width={terminal.columns}>
      <PanelBar />
      <PanelBody height={layout.bodyHeight} width={terminal.columns} />
      <BottomLine />
      <StatusLine />
      <MessageLine />
    </Box>
  );
}

type InkKey = Parameters<Parameters<typeof useInput>[0]>[1];

const SPECIAL: readonly (keyof InkKey)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end',
  'return', 'escape', 'ctrl', 'meta', 'tab', 'backspace', 'delete'];

function KeyInput({ context }: { context: CockpitContextValue }) {
  useInput((input, key) => {
    // Keys typed while the process was busy arrive as one chunk ("/gam"): take them one at a time, as typed.
    const chars = [...input];
    if (chars.length > 1 && !SPECIAL.some((flag) => key[flag] === true) && !input.includes('\x1b')) {
      for (const char of chars) {
        dispatchKey(char, { ...key, return: char === '\r', tab: char === '\t', backspace: char === '\x7f' || char === '\b' }, context);
      }
    } else {
      dispatchKey(input, key, context);
    }
  });
  return null;
}

/** The whole cockpit: wire a store and a source, and it keeps itself current from the source's events. */
export function Cockpit({ store, source, size, theme, liveSync, onQuit }: CockpitProps) {
  const context = useMemo(() => ({ store, source }), [store, source]);
  useEffect(() => {
    const sync = startLiveSync(store, source, liveSync);
    const panels = startPanelSync(store, source, liveSync?.debounceMs);
    return () => {
      sync.stop();
      panels.stop();
    };
  }, [store, source, liveSync]);
  return (
    <CockpitContext.Provider value={context}>
      <ThemeContext.Provider value={theme ?? { color: true }}>
        <KeyInput context={context} />
        <Frame store={store} size={size} onQuit={onQuit} />
      </ThemeContext.Provider>
    </CockpitContext.Provider>
  );
}
