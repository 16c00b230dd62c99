import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig } from '../core/config.js';
import { createEngine } from '../core/engine.js';
import type { ClusterRecord } from '../core/inventory/types.js';
import { loadTerminalUi } from '../src/tui/load-terminal-ui.js';
import type { CockpitSource } from '../views/source.js';
import { median as medianOf } from './support.js';

/** Loaded the way `fleetdeck` loads them (production React, Ink not in CI mode), so the figures match. */
const { render } = await loadTerminalUi(() => import('ink'));
const { createElement } = await loadTerminalUi(() => import('react'));
const { Cockpit } = await loadTerminalUi(() => import('../views/cockpit.js'));
const { createCockpitStore } = await loadTerminalUi(() => import('../views/store/cockpit-store.js'));

/**
 * Keypress → next frame in the Clusters panel at 1,000 and 10,000 clusters, side by side (the budget is
 * < 30 ms median at 10k and within 1.5× of 1k), and the first frame of the real binary in a terminal.
 * Ink runs as the cockpit runs it (not in debug mode: maxFps 60, so renders are throttled to one per
 * 17 ms) against a fake 120x30 terminal. Keys are pressed 40 ms after the previous frame, like a held
 * key's auto-repeat, so each press meets the throttle's leading edge as a person's typing does.
 */
const ROWS = 30;
const COLUMNS = 120;
const PRESS_GAP_MS = 40;
/** Ink brackets each frame with "begin/end synchronized update" writes; those alone are not a frame. */
const SYNC_MARKERS = /\x1b\[\?2026[hl]/g;

class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly rows = ROWS;
  readonly columns = COLUMNS;
  frames = 0;
  last = '';
  private waiters: (() => void)[] = [];
  write = (data: string): boolean => {
    if (data.replace(SYNC_MARKERS, '') === '') return true;
    this.frames += 1;
    this.last = data;
    for (const waiter of this.waiters.splice(0)) waiter();
    return true;
  };
  nextFrame(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private pending: string | null = null;
  setRawMode(): this { return this; }
  setEncoding(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
  resume(): this { return this; }
  pause(): this { return this; }
  read = (): string | null => {
    const data = this.pending;
    this.pending = null;
    return data;
  };
  press(data: string): void {
    this.pending = data;
    this.emit('readable');
  }
}

function syntheticClusters(count: number): ClusterRecord[] {
  const created = new Date(Date.now() - 86_400_000).toISOString();
  return Array.from({ length: count }, (_, i) => ({
    name: `env-${String(i).padStart(5, '0')}`,
    provider: i % 2 === 0 ? 'k3d' : 'kind',
    subnet: i % 2 === 0 ? `10.${64 + Math.floor(i / 256)}.${i % 256}.0/24` : null,
    nodePort: 30080,
    pfPort: 20000 + i * 3,
    httpPort: 20001 + i * 3,
    httpsPort: 20002 + i * 3,
    registerPortainer: true,
    haproxyRoute: i % 3 !== 0,
    createdAt: created,
    updatedAt: created,
  }));
}

function memorySource(rows: ClusterRecord[]): CockpitSource {
  return {
    status: { databaseTarget: 'memory (bench)', sandbox: false, readonly: false },
    listClusters: async () => rows,
    subscribe: () => () => undefined,
    removeCluster: async () => undefined,
  };
}

const median = (values: number[]): number => (values.length === 0 ? Number.NaN : medianOf(values));

interface Mounted {
  stdin: FakeStdin;
  stdout: FakeStdout;
  firstFrameMs: number;
  unmount(): void;
}

/** Renders the cockpit and waits for the first frame that shows `expect`. */
async function mount(source: CockpitSource, expect: string, startedAt = performance.now()): Promise<Mounted> {
  // startedAt includes whatever the caller did first (opening the engine); otherwise from render().
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const store = createCockpitStore(source.status, ROWS - 6);
  const instance = render(createElement(Cockpit, { store, source, theme: { color: false } }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false, patchConsole: false, maxFps: 60, // as src/tui/interactive.tsx renders the cockpit
  });
  while (!stdout.last.includes(expect)) await stdout.nextFrame();
  const firstFrameMs = performance.now() - startedAt;
  return { stdin, stdout, firstFrameMs, unmount: () => instance.unmount() };
}

/** One keypress and the time until Ink has written the frame it caused. */
async function pressAndTime(ui: Mounted, key: string): Promise<number> {
  const before = ui.stdout.frames;
  const t0 = performance.now();
  const framed = ui.stdout.nextFrame();
  ui.stdin.press(key);
  if (ui.stdout.frames === before) await framed;
  return performance.now() - t0;
}

/**
 * Both fleets are mounted at once and pressed alternately, so a noisy machine slows both alike and the
 * ratio stays meaningful. The cursor walks down a few pages (the window scrolls) and back up.
 */
async function keypressMedians(presses: number): Promise<{ small: number[]; large: number[]; firstSmall: number; firstLarge: number }> {
  const small = await mount(memorySource(syntheticClusters(1000)), 'env-00000');
  const large = await mount(memorySource(syntheticClusters(10_000)), 'env-00000');
  const samples = { small: [] as number[], large: [] as number[] };
  try {
    for (let i = 0; i < presses; i += 1) {
      const key = i < presses / 2 ? 'j' : 'k';
      const order = i % 2 === 0 ? (['small', 'large'] as const) : (['large', 'small'] as const);
      for (const which of order) {
        await new Promise((resolve) => setTimeout(resolve, PRESS_GAP_MS));
        samples[which].push(await pressAndTime(which === 'small' ? small : large, key));
      }
    }
  } finally {
    small.unmount();
    large.unmount();
  }
  return { ...samples, firstSmall: small.firstFrameMs, firstLarge: large.firstFrameMs };
}

interface SpawnTimes {
  /** Spawn to the first bytes showing the panel bar. */
  firstFrameMs: number;
  /** Spawn to the inventory's row on screen (the database opened and read). */
  dataMs: number;
}

/**
 * Spawns `command` in a pseudo-terminal (util-linux `script`, 120x30) and times, from the spawn, the first
 * output containing `firstMark` and then `dataMark`; then sends `q`. CI is removed from the environment, as
 * the tmux tests do, so Ink draws as it does for a person.
 */
function timeInPty(command: string, firstMark: string, dataMark: string): Promise<SpawnTimes> {
  const env = { ...process.env };
  delete env.CI;
  const started = performance.now();
  const child = spawn('script', ['-qfec', `stty rows ${ROWS} cols ${COLUMNS}; exec ${command}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    let first: number | null = null;
    let data: number | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${first === null ? firstMark : dataMark} within 60 s; the terminal showed: ${JSON.stringify(seen.slice(-500))}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const now = performance.now() - started;
      if (first === null && seen.includes(firstMark)) first = now;
      if (first !== null && data === null && seen.includes(dataMark)) {
        data = now;
        child.stdin.write('q');
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (first === null || data === null) reject(new Error(`the command exited early; the terminal showed: ${JSON.stringify(seen.slice(-500))}`));
      else resolve({ firstFrameMs: first, dataMs: data });
    });
  });
}

/**
 * The real binary's first frame in a terminal, from process spawn, over an existing embedded database
 * (median of `samples`), beside the floor: `node` printing one line in the same terminal.
 */
async function binaryFirstFrame(samples = 5): Promise<{ firstFrameMs: number; dataMs: number; nodeFloorMs: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetdeck-bench-cockpit-'));
  try {
    const setup = await createEngine(resolveConfig({ dataDir }, { HOME: dataDir }));
    await setup.inventory.add({ name: 'bench-first', provider: 'k3d' });
    await setup.close();
    const bin = join(process.cwd(), 'bin/fleetdeck.js');
    const runs: SpawnTimes[] = [];
    const floors: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      runs.push(await timeInPty(`node ${bin} --data-dir ${dataDir}`, 'Clusters', 'bench-first'));
      floors.push((await timeInPty(`node -e "console.log('Clusters bench-first'); setTimeout(() => {}, 100)"`, 'Clusters', 'bench-first')).firstFrameMs);
    }
    return { firstFrameMs: median(runs.map((r) => r.firstFrameMs)), dataMs: median(runs.map((r) => r.dataMs)), nodeFloorMs: median(floors) };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

export interface CockpitKeypressResult {
  keypressMedianMs1k: number;
  keypressMedianMs10k: number;
  ratio: number;
  firstFrameMs1k: number;
  firstFrameMs10k: number;
  /** The real binary in a terminal, spawn to first frame, over an existing embedded database. */
  firstFrameEmbeddedMs: number;
  /** …and to the inventory's rows on screen. */
  dataShownEmbeddedMs: number;
  withinBudget: boolean;
}

export async function benchCockpitKeypress(presses = 400): Promise<CockpitKeypressResult> {
  await keypressMedians(60); // warm up the JIT and Yoga
  const run = await keypressMedians(presses);
  const small = median(run.small.slice(10));
  const large = median(run.large.slice(10));
  const binary = await binaryFirstFrame();
  const embedded = binary.firstFrameMs;
  const ratio = large / small;
  const withinBudget = large < 30 && ratio <= 1.5 && embedded < 1000;
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log(`cockpit: keypress → next frame, median of ${presses} (Clusters panel, 120x30, pressed alternately)`);
  console.log(`  1,000 clusters   ${fmt(small)}`);
  console.log(`  10,000 clusters  ${fmt(large)}   ratio 10k/1k ${ratio.toFixed(2)}x   (budget < 30 ms, ≤ 1.5x)`);
  console.log(`cockpit: first frame, in memory (render() to frame): 1k ${fmt(run.firstSmall)}, 10k ${fmt(run.firstLarge)}`);
  console.log(`cockpit: the real binary in a terminal over an existing embedded database, median of 5 (spawn to bytes):`);
  console.log(`  first frame (panel bar, status "opening database…")  ${fmt(binary.firstFrameMs)}   (budget < 1 s)`);
  console.log(`  inventory on screen (database opened and read)       ${fmt(binary.dataMs)}`);
  console.log(`  floor: node printing one line in the same terminal   ${fmt(binary.nodeFloorMs)}   ratio first frame / floor ${(binary.firstFrameMs / binary.nodeFloorMs).toFixed(2)}x`);
  console.log(`cockpit: ${withinBudget ? 'within budget' : 'OVER BUDGET'}`);
  return {
    keypressMedianMs1k: small, keypressMedianMs10k: large, ratio,
    firstFrameMs1k: run.firstSmall, firstFrameMs10k: run.firstLarge, firstFrameEmbeddedMs: embedded, dataShownEmbeddedMs: binary.dataMs, withinBudget,
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await benchCockpitKeypress();
}
